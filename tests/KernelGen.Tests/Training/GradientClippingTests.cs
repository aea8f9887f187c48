using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen;
using KernelGen.Testing;
using KernelGen.Training;
using Xunit;

namespace KernelGen.Tests.Training;

/// <summary>
/// clip_grad_norm_ and clip_grad_value_ against a double reference computed here, on every path
/// this machine accelerates, and the non-finite behaviour of torch 1.13 (checked there: an
/// infinite element gives norm inf and grads 0 / NaN; a NaN element gives norm NaN and all NaN).
/// </summary>
public sealed class GradientClippingTests
{
    // Lengths around the vector widths, so every path runs its blocks and its tail.
    private static readonly int[] Lengths = { 0, 1, 7, 8, 15, 16, 17, 33, 100, 1001 };

    public static IEnumerable<object[]> Paths()
        => Enum.GetValues<KernelPath>().Where(p => p != KernelPath.Auto && KernelDispatch.IsSupported(p)).Select(p => new object[] { p });

    private static float[][] Gradients(int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Lengths.Select(n => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray()).ToArray();
    }

    private static SGD Register(float[][] gradients)
    {
        var sgd = new SGD();
        foreach (float[] gradient in gradients)
        {
            sgd.Add(new float[gradient.Length], gradient);
        }

        return sgd;
    }

    private static double ReferenceNorm(float[][] gradients, double p)
    {
        IEnumerable<double> values = gradients.SelectMany(g => g).Select(v => Math.Abs((double)v));
        return double.IsPositiveInfinity(p) ? values.DefaultIfEmpty(0).Max() : Math.Pow(values.Sum(v => Math.Pow(v, p)), 1 / p);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void TheNormMatchesADoubleReference(KernelPath path)
    {
        float[][] gradients = Gradients(1);
        SGD sgd = Register(gradients);
        foreach (float p in new[] { 2f, 1f, float.PositiveInfinity, 3f, 0.5f })
        {
            float norm = GradientClipping.TotalNorm(sgd.Tensors, p, path);
            double reference = ReferenceNorm(gradients, p);

            // The double sum rounded once to float: within one float ulp of the exact norm.
            Assert.True(Math.Abs(norm - reference) <= 1.2e-7 * reference, $"p={p}: {norm:R} vs {reference:R}");
        }
    }

    [Fact]
    public void EveryPathGivesTheSameBits()
    {
        float[][] gradients = Gradients(2, scale: 1e3f);
        SGD sgd = Register(gradients);
        foreach (float p in new[] { 2f, 1f, float.PositiveInfinity })
        {
            float scalar = GradientClipping.TotalNorm(sgd.Tensors, p, KernelPath.Scalar);
            foreach (object[] path in Paths())
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(scalar), BitConverter.SingleToInt32Bits(GradientClipping.TotalNorm(sgd.Tensors, p, (KernelPath)path[0])));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ClippingScalesByTorchsFloatCoefficient(KernelPath path)
    {
        float[][] gradients = Gradients(3);
        float[][] original = gradients.Select(g => (float[])g.Clone()).ToArray();
        SGD sgd = Register(gradients);

        float norm = GradientClipping.ClipGradNorm(sgd.Tensors, maxNorm: 1.5f, normType: 2f, path: path);

        // torch: (total_norm + 1e-6).reciprocal() * max_norm in float32, clamped to 1.
        float coefficient = 1f / (norm + 1e-6f) * 1.5f;
        Assert.True(coefficient < 1f);
        for (int t = 0; t < gradients.Length; t++)
        {
            Assert.Equal(original[t].Select(v => v * coefficient), gradients[t]);
        }

        double clippedNorm = ReferenceNorm(gradients, 2);
        Assert.InRange(clippedNorm, 1.5 * (1 - 1e-5), 1.5 * (1 + 1e-5));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ANormBelowTheLimitLeavesTheGradientsAlone(KernelPath path)
    {
        float[][] gradients = Gradients(4);
        float[][] original = gradients.Select(g => (float[])g.Clone()).ToArray();
        SGD sgd = Register(gradients);

        float norm = GradientClipping.ClipGradNorm(sgd.Tensors, maxNorm: 1e6f, path: path);

        Assert.Equal((float)ReferenceNorm(original, 2), norm, 5e-7f * norm);
        Assert.Equal(original, gradients);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AnInfiniteGradientGivesAnInfiniteNormZerosAndNaN(KernelPath path)
    {
        // torch 1.13: clip_grad_norm_ of [1, inf, 2] returns inf and leaves [0, nan, 0].
        float[][] gradients = Gradients(5);
        gradients[9][500] = float.NegativeInfinity;
        SGD sgd = Register(gradients);

        Assert.Equal(float.PositiveInfinity, GradientClipping.ClipGradNorm(sgd.Tensors, 1f, path: path));

        for (int t = 0; t < gradients.Length; t++)
        {
            for (int i = 0; i < gradients[t].Length; i++)
            {
                Assert.Equal(t == 9 && i == 500 ? float.NaN : 0f, Math.Abs(gradients[t][i]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ANaNGradientMakesEverythingNaN(KernelPath path)
    {
        // torch 1.13: the norm is NaN, clamp keeps it, and every gradient is multiplied by it.
        foreach (float p in new[] { 2f, 1f, float.PositiveInfinity })
        {
            float[][] gradients = Gradients(6);
            gradients[4][3] = float.NaN;
            SGD sgd = Register(gradients);

            Assert.True(float.IsNaN(GradientClipping.ClipGradNorm(sgd.Tensors, 1f, p, path: path)));
            Assert.All(gradients.SelectMany(g => g), v => Assert.True(float.IsNaN(v)));
        }
    }

    [Fact]
    public void ErrorIfNonfiniteThrowsBeforeWriting()
    {
        float[][] gradients = Gradients(7);
        gradients[2][0] = float.PositiveInfinity;
        float[][] original = gradients.Select(g => (float[])g.Clone()).ToArray();
        SGD sgd = Register(gradients);

        Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm(sgd, 1f, errorIfNonfinite: true));
        Assert.Equal(original, gradients);
    }

    [Fact]
    public void ManyOptimizersAreClippedAsOneVector()
    {
        float[][] gradients = Gradients(8);
        float[][] copy = gradients.Select(g => (float[])g.Clone()).ToArray();
        SGD all = Register(copy);
        SGD first = Register(gradients[..4]);
        SGD second = Register(gradients[4..]);

        float expected = GradientClipping.ClipGradNorm(all, 0.5f);
        float actual = GradientClipping.ClipGradNorm(new Optimizer[] { first, second }, 0.5f, path: all.Path);

        Assert.Equal(expected, actual);
        Assert.Equal(copy, gradients);
    }

    [Fact]
    public void NoTensorsHaveNormZero()
    {
        Assert.Equal(0f, GradientClipping.ClipGradNorm(new SGD(), 1f));
        Assert.Equal(0f, GradientClipping.ClipGradNorm(new SGD(), 1f, float.PositiveInfinity));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ClipGradValueClampsAndKeepsNaN(KernelPath path)
    {
        float[][] gradients = Gradients(9, scale: 3f);
        gradients[9][17] = float.NaN;
        gradients[9][18] = float.NegativeInfinity;
        float[][] original = gradients.Select(g => (float[])g.Clone()).ToArray();
        SGD sgd = Register(gradients);

        GradientClipping.ClipGradValue(sgd.Tensors, 1.25f, path);

        for (int t = 0; t < gradients.Length; t++)
        {
            Assert.Equal(original[t].Select(v => float.IsNaN(v) ? v : Math.Clamp(v, -1.25f, 1.25f)), gradients[t]);
        }
    }

    [Fact]
    public void BadArgumentsThrowNamingTheArgument()
    {
        SGD sgd = Register(Gradients(10));
        Assert.Throws<ArgumentOutOfRangeException>("maxNorm", () => GradientClipping.ClipGradNorm(sgd, -1f));
        Assert.Throws<ArgumentOutOfRangeException>("maxNorm", () => GradientClipping.ClipGradNorm(sgd, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("normType", () => GradientClipping.ClipGradNorm(sgd, 1f, 0f));
        Assert.Throws<ArgumentOutOfRangeException>("normType", () => GradientClipping.ClipGradNorm(sgd, 1f, float.NegativeInfinity));
        Assert.Throws<ArgumentOutOfRangeException>("normType", () => GradientClipping.ClipGradNorm(sgd, 1f, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("clipValue", () => GradientClipping.ClipGradValue(sgd, -0.5f));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ClippingAllocatesNothing(KernelPath path)
    {
        SGD sgd = Register(Gradients(11, scale: 100f));
        sgd.Path = path;
        var groups = new Optimizer[] { sgd, Register(Gradients(12)) };
        GradientClipping.ClipGradNorm(sgd, 1f);
        GradientClipping.ClipGradNorm(groups, 1f, float.PositiveInfinity, path: path);
        GradientClipping.ClipGradValue(sgd, 1f);

        long allocated = AllocationProbe.LeastAllocatedOver(
            () =>
            {
                GradientClipping.ClipGradNorm(sgd, 1f);
                GradientClipping.ClipGradNorm(sgd, 1f, 1f);
                GradientClipping.ClipGradNorm(groups, 1f, float.PositiveInfinity, path: path);
                GradientClipping.ClipGradValue(sgd, 1f);
            },
            steps: 20);

        Assert.Equal(0, allocated);
    }
}
