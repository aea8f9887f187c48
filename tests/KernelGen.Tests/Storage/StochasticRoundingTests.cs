using System;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>The counter-based generator against its published answers, and stochastic rounding's statistics.</summary>
public class StochasticRoundingTests
{
    [Theory]
    // Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void PhiloxGivesThePublishedAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
    {
        Assert.Equal((r0, r1, r2, r3), Philox.Generate(c0, c1, c2, c3, k0, k1));
    }

    /// <summary>
    /// The mean of many stochastic roundings of one value is the value: one draw errs by less than
    /// one gap (its standard deviation is at most half a gap), so the mean of n draws stays within
    /// 5 · 0.5 / √n gaps (five standard deviations: a false failure has odds below one in a million).
    /// </summary>
    [Theory]
    [InlineData(StateStorage.BFloat16, 1.0029296875f)]         // 1 + 0.375 gaps of 2^-7
    [InlineData(StateStorage.BFloat16, -3.14159265f)]
    [InlineData(StateStorage.BFloat16, 1.2345e-39f)]            // a float subnormal
    [InlineData(StateStorage.Float16, 1.00031f)]
    [InlineData(StateStorage.Float16, -1234.5678f)]
    [InlineData(StateStorage.Float16, 3.7e-06f)]                 // a half subnormal: gaps of 2^-24
    [InlineData(StateStorage.Float16, 6.1e-05f)]                 // just below half's smallest normal
    public void TheMeanOfManyRoundingsIsTheValue(StateStorage type, float value)
    {
        const int draws = 200_000;
        var values = new float[draws];
        Array.Fill(values, value);
        var bits = new ushort[draws];
        StochasticRounding.Narrow(type, values, bits, new RoundingKey(Seed: 11, Step: 3, Tensor: 2, Buffer: 1), firstElement: 0);
        double sum = 0;
        double down = double.PositiveInfinity;
        double up = double.NegativeInfinity;
        foreach (ushort b in bits)
        {
            double stored = type == StateStorage.Float16 ? (double)BitConverter.UInt16BitsToHalf(b) : (float)BFloat16.FromBits(b);
            sum += stored;
            down = Math.Min(down, stored);
            up = Math.Max(up, stored);
        }

        double gap = up - down;
        Assert.True(gap > 0, "both neighbours are drawn");
        Assert.True(down <= value && value <= up, "only the two neighbours are drawn");
        double error = Math.Abs(sum / draws - value);
        double bound = 5 * 0.5 / Math.Sqrt(draws) * gap;
        Assert.True(error <= bound, $"mean error {error} gaps {error / gap}, bound {bound / gap} gaps");
    }

    [Fact]
    public void RepresentableValuesInfinitiesAndNaNsAreKept()
    {
        float[] values = { 1f, -2.5f, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 65504f, 5.9604645e-08f };
        foreach (StateStorage type in new[] { StateStorage.BFloat16, StateStorage.Float16 })
        {
            var stochastic = new ushort[values.Length];
            var nearest = new ushort[values.Length];
            StochasticRounding.Narrow(type, values, stochastic, new RoundingKey(1, 1, 0, 0), 0);
            StorageConversion.Narrow(type, values, nearest, KernelPath.Scalar);
            if (type == StateStorage.BFloat16)
            {
                Assert.Equal(nearest[..7], stochastic[..7]); // 65504 and 2^-24 are not bfloat16 values
            }
            else
            {
                Assert.Equal(nearest, stochastic);
            }
        }
    }
}
