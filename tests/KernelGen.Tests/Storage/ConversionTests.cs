using System;
using System.Runtime.Intrinsics;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>The 16-bit conversions against straightforward references, on every path this machine runs.</summary>
public class ConversionTests
{
    public static TheoryData<KernelPath> Paths()
    {
        var paths = new TheoryData<KernelPath> { KernelPath.Scalar };
        if (Vector128.IsHardwareAccelerated)
        {
            paths.Add(KernelPath.Vector128);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            paths.Add(KernelPath.Vector256);
        }

        return paths;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryHalfPatternWidensAsSystemHalfDoes(KernelPath path)
    {
        float[] widened = WidenAll(StateStorage.Float16, path);
        for (int bits = 0; bits < 65536; bits++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(widened[bits]), $"0x{bits:X4}: {expected} vs {widened[bits]}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryBFloat16PatternWidensToTheFloatWithThoseUpperBits(KernelPath path)
    {
        float[] widened = WidenAll(StateStorage.BFloat16, path);
        for (int bits = 0; bits < 65536; bits++)
        {
            Assert.Equal((uint)bits << 16, BitConverter.SingleToUInt32Bits(widened[bits]));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void NarrowingRoundsToNearestEvenOnEdgesAndRandomFloats(KernelPath path)
    {
        float[] values = TestValues();
        var half = new ushort[values.Length];
        var bfloat = new ushort[values.Length];
        StorageConversion.Narrow(StateStorage.Float16, values, half, path);
        StorageConversion.Narrow(StateStorage.BFloat16, values, bfloat, path);
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v))
            {
                Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(half[i])));
                Assert.True(float.IsNaN((float)BFloat16.FromBits(bfloat[i])));
                Assert.Equal(BitConverter.SingleToUInt32Bits(v) >> 31, (uint)bfloat[i] >> 15);
                continue;
            }

            Assert.True(BitConverter.HalfToUInt16Bits((Half)v) == half[i], $"half of {v:R} (0x{BitConverter.SingleToUInt32Bits(v):X8})");
            Assert.True(ReferenceBFloat16(v) == bfloat[i], $"bfloat16 of {v:R} (0x{BitConverter.SingleToUInt32Bits(v):X8})");
        }
    }

    [Fact]
    public void BFloat16ConversionOperatorsRoundTrip()
    {
        Assert.Equal(1.5f, (float)(BFloat16)1.5f);
        Assert.Equal((ushort)0x3F80, ((BFloat16)1.00390625f).Bits); // 1 + 2^-8: a tie, to even (down)
        Assert.Equal((ushort)0x3F82, ((BFloat16)1.01171875f).Bits); // 1 + 3·2^-8: a tie, to even (up)
        Assert.True(BFloat16.IsNaN((BFloat16)float.NaN));
        Assert.Equal(float.PositiveInfinity, (float)(BFloat16)float.MaxValue); // beyond bfloat16's largest finite, to nearest
    }

    /// <summary>The nearer of the two bfloat16 neighbours, measured in double; a tie goes to the even one.</summary>
    private static ushort ReferenceBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint down = bits >> 16;
        if (float.IsInfinity(value))
        {
            return (ushort)down;
        }

        uint up = down + 1;
        double below = BitConverter.UInt32BitsToSingle(down << 16);
        double above = (up & 0x7FFF) == 0x7F80 ? Math.ScaleB(1.0, 128) * Math.Sign(value) : BitConverter.UInt32BitsToSingle(up << 16);
        double toBelow = Math.Abs(value - below);
        double toAbove = Math.Abs(above - value);
        return (ushort)(toBelow < toAbove || (toBelow == toAbove && (down & 1) == 0) ? down : up);
    }

    private static float[] WidenAll(StateStorage type, KernelPath path)
    {
        var bits = new ushort[65536 + 7]; // a tail beyond the vectors too
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)i;
        }

        var widened = new float[bits.Length];
        StorageConversion.Widen(type, bits, widened, path);
        return widened;
    }

    internal static float[] TestValues()
    {
        float[] edges =
        {
            0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity,
            float.NaN, BitConverter.UInt32BitsToSingle(0xFF800001), BitConverter.UInt32BitsToSingle(0x7FBFFFFF),
            65504f, 65519.996f, 65520f, 65536f, 6.1035156e-05f, 6.0975552e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 8.940697e-08f,
            1.00390625f, 1.01171875f, 1.0009765625f, 1.0029296875f, BitConverter.UInt32BitsToSingle(0x7F7FFFFF), BitConverter.UInt32BitsToSingle(0x7F7F8000),
            BitConverter.UInt32BitsToSingle(0x7F7F7FFF), BitConverter.UInt32BitsToSingle(0x00008000), BitConverter.UInt32BitsToSingle(0x00018000),
        };
        var random = new Random(1234);
        var values = new float[edges.Length + 1_000_003];
        edges.CopyTo(values, 0);
        for (int i = edges.Length; i < values.Length; i++)
        {
            // Random bit patterns cover every binade; a third are scaled into half's range.
            float v = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
            values[i] = i % 3 == 0 ? (float)(random.NextDouble() * 2 - 1) * MathF.Pow(2, random.Next(-26, 17)) : v;
        }

        return values;
    }
}
