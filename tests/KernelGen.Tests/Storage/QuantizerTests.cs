using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>
/// The fast quantizer against its definition: the bucket table's <see cref="DynamicQuantizationMap.Code"/>
/// and every path's block quantization and dequantization give the codes and values of the binary
/// search over the midpoints (<see cref="DynamicQuantizationMap.SearchCode"/>) and the scalar formulas.
/// </summary>
public class QuantizerTests
{
    private static readonly DynamicQuantizationMap[] Maps = { DynamicQuantizationMap.Signed, DynamicQuantizationMap.Unsigned };

    public static IEnumerable<object[]> Paths() => KernelCases.Paths();

    [Fact]
    public void TheBucketTableGivesTheSearchedCodeForEveryKindOfValue()
    {
        foreach (DynamicQuantizationMap map in Maps)
        {
            int checkedValues = 0;
            foreach (float x in Probes(map))
            {
                Assert.True(map.SearchCode(x) == map.Code(x), $"{(map.IsSigned ? "signed" : "unsigned")} map: {x:R} (0x{BitConverter.SingleToUInt32Bits(x):X8}) searched {map.SearchCode(x)}, table {map.Code(x)}");
                checkedValues++;
            }

            Assert.True(checkedValues > 1_000_000, $"only {checkedValues} values checked");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathQuantizesABlockAsTheSearchDoes(KernelPath path)
    {
        var random = new Random(17);
        foreach (DynamicQuantizationMap map in Maps)
        {
            foreach (float[] block in Blocks(random, map.IsSigned))
            {
                var codes = new byte[block.Length];
                map.QuantizeBlock(block, codes, out float scale, path);
                (byte[] expectedCodes, float expectedScale) = SearchedBlock(map, block);
                Assert.Equal(BitConverter.SingleToUInt32Bits(expectedScale), BitConverter.SingleToUInt32Bits(scale));
                for (int i = 0; i < block.Length; i++)
                {
                    Assert.True(expectedCodes[i] == codes[i], $"{path}, {(map.IsSigned ? "signed" : "unsigned")} map, block of {block.Length}: element {i} ({block[i]:R}) took {codes[i]}, the search {expectedCodes[i]}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathDequantizesAsTheScalarFormula(KernelPath path)
    {
        var random = new Random(19);
        foreach (DynamicQuantizationMap map in Maps)
        {
            foreach (int length in KernelCases.Lengths.Where(n => n <= DynamicQuantizationMap.BlockLength))
            {
                byte[] codes = Enumerable.Range(0, length).Select(_ => (byte)random.Next(256)).ToArray();
                foreach (float scale in new[] { 0f, 1f, 3.7e-5f, 1.5e-40f, 2.5e38f, float.NaN })
                {
                    var values = new float[length];
                    map.DequantizeBlock(codes, scale, values, path);
                    for (int i = 0; i < length; i++)
                    {
                        Assert.Equal(BitConverter.SingleToUInt32Bits(map.Values[codes[i]] * scale), BitConverter.SingleToUInt32Bits(values[i]));
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryPathFindsTheAbsoluteMaximumAndAnyNaN(KernelPath path)
    {
        var random = new Random(23);
        foreach (int length in KernelCases.Lengths.Where(n => n <= DynamicQuantizationMap.BlockLength))
        {
            float[] values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            Assert.Equal(length == 0 ? 0f : values.Max(MathF.Abs), DynamicQuantizationMap.AbsoluteMaximum(values, path));
            foreach (float special in new[] { float.NaN, -float.NaN })
            {
                for (int at = 0; at < length; at += 1 + at / 8)
                {
                    float[] copy = (float[])values.Clone();
                    copy[at] = special;
                    Assert.True(float.IsNaN(DynamicQuantizationMap.AbsoluteMaximum(copy, path)), $"{path}: NaN at {at} of {length} was missed");
                }
            }
        }
    }

    /// <summary>The block quantization as it was defined first: absmax, divide, search.</summary>
    private static (byte[] Codes, float Scale) SearchedBlock(DynamicQuantizationMap map, float[] block)
    {
        var codes = new byte[block.Length];
        float absmax = 0f;
        bool nan = false;
        foreach (float x in block)
        {
            nan |= float.IsNaN(x);
            absmax = MathF.Max(absmax, MathF.Abs(x));
        }

        if (nan || float.IsInfinity(absmax))
        {
            Array.Fill(codes, map.ZeroCode);
            return (codes, float.NaN);
        }

        float divisor = absmax > 0f ? absmax : 1f;
        for (int i = 0; i < block.Length; i++)
        {
            codes[i] = map.SearchCode(block[i] / divisor);
        }

        return (codes, absmax);
    }

    /// <summary>
    /// Blocks of every tail length up to a whole block: moments of many magnitudes, each with
    /// a largest element of either sign; ties to the midpoints after division; zeros; subnormals
    /// only; and blocks holding a NaN or an infinity.
    /// </summary>
    private static IEnumerable<float[]> Blocks(Random random, bool signed)
    {
        foreach (int length in KernelCases.Lengths.Where(n => n is > 0 and <= DynamicQuantizationMap.BlockLength))
        {
            float[] block = Enumerable.Range(0, length).Select(_ => Signed(random, signed) * (float)random.NextDouble() * MathF.Pow(10f, random.Next(-9, 2))).ToArray();
            yield return block;

            // The largest magnitude negative (the signed map's end is not -1).
            float[] negated = block.Select(v => signed ? -v : v).ToArray();
            yield return negated;

            yield return new float[length];

            float[] subnormal = Enumerable.Range(0, length).Select(_ => Signed(random, signed) * BitConverter.UInt32BitsToSingle((uint)random.Next(1, 1 << 23))).ToArray();
            yield return subnormal;

            // With a scale of 1, elements on the midpoints and their neighbours: every tie.
            float[] ties = Enumerable.Range(0, length).Select(i => Nudge(Midpoint(random, signed), random.Next(-1, 2))).ToArray();
            ties[0] = 1f;
            yield return ties;

            float[] special = (float[])block.Clone();
            special[random.Next(length)] = random.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
            yield return special;
        }
    }

    /// <summary>
    /// Values in the map's range of every kind: map values, midpoints and their neighbours, the
    /// edges of every bucket, zeros of both signs, ±1, subnormals, values below the clamp, and
    /// a million random values spread over uniform and logarithmic scales.
    /// </summary>
    private static IEnumerable<float> Probes(DynamicQuantizationMap map)
    {
        var random = new Random(map.IsSigned ? 1 : 2);
        float[] mapValues = map.Values.ToArray();
        for (int k = 0; k < 256; k++)
        {
            yield return mapValues[k];
            if (k < 255)
            {
                float midpoint = (float)(((double)mapValues[k] + mapValues[k + 1]) / 2);
                for (int ulps = -3; ulps <= 3; ulps++)
                {
                    yield return Nudge(midpoint, ulps);
                }
            }
        }

        // Every bucket's edges (float bits from 2^-23's, 16 bits at a time) and their neighbours, both signs.
        for (uint bits = 104u << 23; bits <= 127u << 23; bits += 1u << 16)
        {
            foreach (uint edge in new[] { bits - 1, bits, bits + 1, bits + 0xFFFF, bits + 0x10000 })
            {
                float x = BitConverter.UInt32BitsToSingle(edge);
                yield return x;
                yield return -x;
            }
        }

        foreach (float x in new[] { 0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f, 1.1754942E-38f, -1.1754942E-38f, 1e-7f, -1e-7f })
        {
            yield return x;
        }

        for (int n = 0; n < 1_000_000; n++)
        {
            yield return (n % 4) switch
            {
                0 => Signed(random, map.IsSigned) * (float)random.NextDouble(),
                1 => Signed(random, map.IsSigned) * MathF.Pow(10f, -8f * (float)random.NextDouble()),
                2 => Signed(random, map.IsSigned) * BitConverter.UInt32BitsToSingle((uint)random.Next(1, 1 << 23)), // subnormal
                _ => Nudge(Midpoint(random, map.IsSigned), random.Next(-2, 3)),
            };
        }

        // The unsigned map's values are never negative, but a negative code is still defined: the lowest.
        if (!map.IsSigned)
        {
            for (int n = 0; n < 1000; n++)
            {
                yield return -(float)random.NextDouble();
            }
        }
    }

    private static float Midpoint(Random random, bool signed)
    {
        ReadOnlySpan<float> values = (signed ? DynamicQuantizationMap.Signed : DynamicQuantizationMap.Unsigned).Values;
        int k = random.Next(255);
        return (float)(((double)values[k] + values[k + 1]) / 2);
    }

    private static float Signed(Random random, bool signed) => signed && random.Next(2) == 0 ? -1f : 1f;

    /// <summary><paramref name="x"/> moved by <paramref name="ulps"/> units in the last place, away from zero when positive.</summary>
    private static float Nudge(float x, int ulps)
    {
        if (x == 0f)
        {
            return x;
        }

        uint bits = BitConverter.SingleToUInt32Bits(x);
        return BitConverter.UInt32BitsToSingle((uint)(bits + ulps));
    }
}
