using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>Lookahead around any optimizer: pytorch_optimizer 3.9.0's trajectories, a hand-written reference, and the wrapper's rules.</summary>
public sealed class LookaheadTests
{
    private const string Folder = "lookahead";

    public static IEnumerable<object[]> Cases() => RecordedCases.OnEveryPath(Folder);

    /// <summary>The conformance runner's <c>kind: "lookahead"</c>: the inner optimizer gets the tensors, then is wrapped.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPytorchOptimizer(string caseName, KernelPath path) => RecordedCases.AssertPasses(Folder, caseName, path);

    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void EqualsAHandWrittenReferenceBitForBit(KernelPath path)
    {
        const int k = 3;
        const float alpha = 0.4f;
        float[] initial = KernelCases.Values(37, seed: 1, scale: 2f);
        float[] fast = (float[])initial.Clone(), reference = (float[])initial.Clone(), slow = (float[])initial.Clone();
        float[] gradient = new float[37], referenceGradient = new float[37];
        var lookahead = new Lookahead(new SGD { LearningRate = 0.05f, Momentum = 0.9f }, k, alpha) { Path = path };
        lookahead.Add(fast, gradient);
        var plain = new SGD { LearningRate = 0.05f, Momentum = 0.9f, Path = path };
        plain.Add(reference, referenceGradient);

        for (int s = 1; s <= 10; s++)
        {
            KernelCases.Values(37, seed: 100 + s, scale: 1f).CopyTo(gradient, 0);
            gradient.CopyTo(referenceGradient, 0);
            lookahead.Step();
            plain.Step();
            if (s % k == 0)
            {
                // pytorch_optimizer: p.mul_(alpha).add_(slow, alpha=1 - alpha); slow.copy_(p).
                for (int i = 0; i < reference.Length; i++)
                {
                    reference[i] = reference[i] * alpha + (1f - alpha) * slow[i];
                    slow[i] = reference[i];
                }
            }

            Assert.Equal(s % k, lookahead.Counter);
            Assert.Equal(Bits(reference), Bits(fast));
            Assert.Equal(Bits(slow), Bits(lookahead.SlowWeights(0).ToArray()));
        }
    }

    [Fact]
    public void SyncsEveryKStepsOnly()
    {
        float[] fast = { 1f, 2f }, gradient = { 1f, -1f };
        var lookahead = new Lookahead(new SGD { LearningRate = 0.5f }, k: 4, alpha: 0.5f);
        lookahead.Add(fast, gradient);

        // Plain SGD moves by ∓0.5 a step; the sync at step 4 halves the distance from the start.
        float[][] expected = { new[] { 0.5f, 2.5f }, new[] { 0f, 3f }, new[] { -0.5f, 3.5f }, new[] { 0f, 3f }, new[] { -0.5f, 3.5f } };
        foreach (float[] after in expected)
        {
            lookahead.Step();
            Assert.Equal(after, fast);
        }

        Assert.Equal(new[] { 0f, 3f }, lookahead.SlowWeights(0).ToArray());
    }

    [Fact]
    public void SlowWeightsStartAsTheParametersWhenWrappedOrAdded()
    {
        var inner = new Adam();
        float[] before = { 1f, 2f }, after = { 3f, 4f }, direct = { 5f, 6f };
        inner.Add(before, new float[2]);
        var lookahead = new Lookahead(inner);
        before[0] = 100f; // changed after wrapping: the slow weights keep the value at construction, as in the reference
        lookahead.Add(after, new float[2]);
        inner.Add(direct, new float[2]); // registered with the inner optimizer directly: adopted at the next step

        lookahead.Step();

        Assert.Equal(new[] { 1f, 2f }, lookahead.SlowWeights(0).ToArray());
        Assert.Equal(new[] { 3f, 4f }, lookahead.SlowWeights(1).ToArray());
        Assert.Equal(new[] { 5f, 6f }, lookahead.SlowWeights(2).ToArray());
    }

    [Fact]
    public void ResetZeroesTheInnerMomentumAtASync()
    {
        var sgd = new SGD { LearningRate = 0.1f, Momentum = 0.9f };
        var lookahead = new Lookahead(sgd, k: 2, pullbackMomentum: LookaheadPullback.Reset);
        lookahead.Add(new[] { 1f }, new[] { 1f });

        lookahead.Step();
        Assert.Equal(1f, sgd.Tensors[0].State(0)[0]);
        lookahead.Step();
        Assert.Equal(0f, sgd.Tensors[0].State(0)[0]);
    }

    [Fact]
    public void ASkippedInnerStepDoesNotCount()
    {
        float[] gradient = { float.NaN };
        var lookahead = new Lookahead(new SGD { NonFiniteGradients = NonFiniteGradientPolicy.Skip }, k: 2);
        lookahead.Add(new[] { 1f }, gradient);

        lookahead.Step();

        Assert.True(lookahead.Inner.LastStepSkipped);
        Assert.Equal(0, lookahead.Counter);
    }

    [Fact]
    public void InvalidSettingsAreRefusedBeforeAnythingChanges()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lookahead(new SGD(), k: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lookahead(new SGD(), alpha: 1f));
        float[] p = { 1f };
        var lookahead = new Lookahead(new SGD { LearningRate = 0.1f });
        lookahead.Add(p, new[] { 1f });
        lookahead.Alpha = float.NaN;

        Assert.Throws<ArgumentOutOfRangeException>(lookahead.Step);
        Assert.Equal(1f, p[0]);
        Assert.Equal(0, lookahead.Inner.Tensors[0].Step);
    }

    [Theory]
    [InlineData(LookaheadPullback.None)]
    [InlineData(LookaheadPullback.Reset)]
    [InlineData(LookaheadPullback.Pullback)]
    public void AStepAllocatesNothing(LookaheadPullback pullback)
    {
        // k = 2: the 50 measured steps include 25 syncs.
        var lookahead = new Lookahead(new SGD { LearningRate = 0.01f, Momentum = 0.9f }, k: 2, pullbackMomentum: pullback);
        for (int i = 0; i < 4; i++)
        {
            lookahead.Add(KernelCases.Values(1000 + i, seed: i, scale: 1f), KernelCases.Values(1000 + i, seed: 100 + i, scale: 1f));
        }

        Assert.Equal(0, AllocationTests.SteadyStateAllocation(lookahead.Step));
    }

    public static IEnumerable<object[]> SupportedPaths() => KernelCases.SupportedPaths.Select(p => new object[] { p });

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
