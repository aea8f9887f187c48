using System;
using System.Runtime.Intrinsics;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>
/// KernelMath's vector Max/Min, which kernels generated for net8.0 call (.NET 8's VectorN.Max/Min
/// return an operand by position for a NaN or two zeros): lane by lane, every pair of special and
/// ordinary values must give MathF.Max/Min's bits, in both operand orders, on every width.
/// </summary>
public class KernelMathMinMaxTests
{
    private static readonly float[] Values =
    {
        0f, -0f, float.NaN, -float.NaN, float.PositiveInfinity, float.NegativeInfinity,
        float.Epsilon, -float.Epsilon, 1e-40f, 1f, -1f, 2.5f, float.MaxValue, float.MinValue,
    };

    [Fact]
    public void Vector128GivesMathFBits() =>
        Check(128, (x, y, max) =>
        {
            Vector128<float> a = Vector128.Create(x), b = Vector128.Create(y);
            return (max ? KernelMath.Max(a, b) : KernelMath.Min(a, b)).ToScalar();
        });

    [Fact]
    public void Vector256GivesMathFBits() =>
        Check(256, (x, y, max) =>
        {
            Vector256<float> a = Vector256.Create(x), b = Vector256.Create(y);
            return (max ? KernelMath.Max(a, b) : KernelMath.Min(a, b)).ToScalar();
        });

    [Fact]
    public void Vector512GivesMathFBits() =>
        Check(512, (x, y, max) =>
        {
            Vector512<float> a = Vector512.Create(x), b = Vector512.Create(y);
            return (max ? KernelMath.Max(a, b) : KernelMath.Min(a, b)).ToScalar();
        });

    /// <summary>Mixed lanes: each lane follows its own pair, whatever the others hold.</summary>
    [Fact]
    public void EachLaneFollowsItsOwnPair()
    {
        Vector128<float> x = Vector128.Create(0f, -0f, float.NaN, 1f);
        Vector128<float> y = Vector128.Create(-0f, 0f, 3f, float.NaN);
        for (int lane = 0; lane < Vector128<float>.Count; lane++)
        {
            AssertSame(MathF.Max(x[lane], y[lane]), KernelMath.Max(x, y)[lane], $"Max lane {lane}");
            AssertSame(MathF.Min(x[lane], y[lane]), KernelMath.Min(x, y)[lane], $"Min lane {lane}");
        }
    }

    // The width only names the case; the vector forms are exercised whether or not the hardware accelerates them.
    private static void Check(int width, Func<float, float, bool, float> vector)
    {
        foreach (float x in Values)
        {
            foreach (float y in Values)
            {
                AssertSame(MathF.Max(x, y), vector(x, y, true), $"Max({x}, {y}) on {width} bits");
                AssertSame(MathF.Min(x, y), vector(x, y, false), $"Min({x}, {y}) on {width} bits");
            }
        }
    }

    private static void AssertSame(float expected, float actual, string what) =>
        Assert.True(SameBits.Of(expected, actual), $"{what}: expected 0x{BitConverter.SingleToInt32Bits(expected):X8}, got 0x{BitConverter.SingleToInt32Bits(actual):X8}");
}
