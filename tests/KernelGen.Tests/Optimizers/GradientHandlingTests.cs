using System;
using KernelGen.Testing;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>Loss scaling inside the fused step, and the non-finite gradient policies.</summary>
public class GradientHandlingTests
{
    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void ScaledGradientsAreUnscaledBitForBitAsTheRuleSees(string optimizer, KernelPath path)
    {
        Optimizer kernel = KernelCases.Optimizers[optimizer](), rule = KernelCases.Optimizers[optimizer]();
        kernel.Path = path;
        kernel.GradientScale = rule.GradientScale = 1024f;
        float[] initial = KernelCases.Values(77, seed: 5, scale: 1f);
        float[] gradient = KernelCases.Values(77, seed: 6, scale: 1000f);
        float[] before = (float[])gradient.Clone();
        kernel.Add((float[])initial.Clone(), gradient);
        rule.Add((float[])initial.Clone(), gradient);
        for (int s = 0; s < 3; s++)
        {
            kernel.Step();
            KernelCases.StepOracle(rule);
            KernelBitwiseTests.AssertSameBits(rule.Tensors[0], kernel.Tensors[0], $"{optimizer} on {path}, step {s + 1}");
        }

        Assert.Equal(before, gradient); // the caller's gradients are never written
    }

    [Fact]
    public void ScalingMatchesUnscaledGradientsDividedByThePowerOfTwoScale()
    {
        // With a power-of-two scale, grad * (1 / scale) is exact: the step equals the unscaled one.
        var scaled = new Adam { GradientScale = 65536f };
        var plain = new Adam();
        var random = new Random(9);
        float[] g = new float[50];
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = (float)(random.NextDouble() - 0.5); // normal magnitudes: scaling by 2^16 is exact
        }

        float[] gScaled = Array.ConvertAll(g, x => x * 65536f);
        float[] p1 = new float[50], p2 = new float[50];
        scaled.Add(p1, gScaled);
        plain.Add(p2, g);
        scaled.Step();
        plain.Step();
        Assert.Equal(p2, p1);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void SkipLeavesEverythingUntouchedAndCounts(float bad)
    {
        var adam = new Adam { NonFiniteGradients = NonFiniteGradientPolicy.Skip };
        float[] p = { 1f, 2f, 3f }, g = { 0.1f, 0.2f, 0.3f };
        ParameterTensor tensor = adam.Add(p, g);
        adam.Step();
        float[] afterFirst = (float[])p.Clone();
        float[] stateAfterFirst = tensor.State(0).ToArray();

        g[1] = bad;
        adam.Step();
        Assert.True(adam.LastStepSkipped);
        Assert.Equal(1, adam.SkippedSteps);
        Assert.Equal(1, tensor.Step);
        Assert.Equal(afterFirst, p);
        Assert.Equal(stateAfterFirst, tensor.State(0).ToArray());

        g[1] = 0.2f;
        adam.Step();
        Assert.False(adam.LastStepSkipped);
        Assert.Equal(2, tensor.Step);
    }

    [Fact]
    public void ThrowNamesTheTensorAndElementAndChangesNothing()
    {
        var sgd = new SGD { Momentum = 0.9f, NonFiniteGradients = NonFiniteGradientPolicy.Throw };
        sgd.Add(new float[10], new float[10]);
        float[] p = { 1f, 2f }, g = { 1f, float.PositiveInfinity };
        sgd.Add(p, g);
        var error = Assert.Throws<NonFiniteGradientException>(sgd.Step);
        Assert.Equal((1, 1), (error.Tensor, error.Element));
        Assert.Equal(new[] { 1f, 2f }, p);
        Assert.Equal(0, sgd.Tensors[0].Step);
    }

    [Fact]
    public void IgnoreLetsTheValueThrough()
    {
        var sgd = new SGD();
        float[] p = { 1f }, g = { float.NaN };
        sgd.Add(p, g);
        sgd.Step();
        Assert.True(float.IsNaN(p[0]));
    }

    [Fact]
    public void FiniteCheckFindsTheFirstBadElementAtEveryPositionAndLength()
    {
        foreach (int length in new[] { 0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 130, 1000 })
        {
            var values = new float[length];
            Assert.Equal(-1, Internal.FiniteCheck.FirstNonFinite(values));
            for (int i = 0; i < length; i += Math.Max(1, length / 7))
            {
                values[i] = i % 2 == 0 ? float.NaN : float.NegativeInfinity;
                Assert.Equal(i, Internal.FiniteCheck.FirstNonFinite(values));
                values[i] = float.MaxValue; // huge but finite
            }

            Assert.Equal(-1, Internal.FiniteCheck.FirstNonFinite(values));
        }
    }

    [Fact]
    public void GradientScaleMustBePositiveAndFinite()
    {
        var sgd = new SGD();
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.GradientScale = 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.GradientScale = float.PositiveInfinity);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.GradientScale = float.NaN);
    }
}
