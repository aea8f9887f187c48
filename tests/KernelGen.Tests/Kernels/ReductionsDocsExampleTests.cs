using System;
using System.Linq;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>The example of docs/reductions.md; its bitwise tests on every path are those of <see cref="KernelCases"/>.</summary>
public class ReductionsDocsExampleTests
{
    [Fact]
    public void TheDocsProgramRuns()
    {
        // The program of docs/reductions.md, "Test it bit for bit".
        var weights = new float[1000];
        var gradients = new float[1000];
        var optimizer = new NormalizedMomentum { LearningRate = 0.01f };
        optimizer.Add(weights, gradients);

        var reference = new NormalizedMomentum { LearningRate = 0.01f };
        var referenceWeights = new float[1000];
        reference.Add(referenceWeights, gradients);

        var random = new Random(1);
        for (int step = 0; step < 10; step++)
        {
            for (int i = 0; i < gradients.Length; i++)
            {
                gradients[i] = (float)(random.NextDouble() - 0.5);
            }

            optimizer.Step();                    // the generated kernel: reducing pass, then update
            reference.StepWithInterpreter();     // the rule's IR, one element at a time, same sum order
            Assert.True(weights.AsSpan().SequenceEqual(referenceWeights));
        }

        Assert.Throws<NotSupportedException>(reference.StepWithRule);
        Assert.Throws<InvalidOperationException>(() => KernelMath.Norm(1f));
    }

    [Fact]
    public void OneStepMatchesTheFormula()
    {
        // p = 0.5 everywhere: ‖p‖ = 0.5·√n; g/‖g‖ has norm 1, so p moves by lr·‖p‖·g/‖g‖.
        const int n = 64;
        float[] p = Enumerable.Repeat(0.5f, n).ToArray();
        float[] g = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
        double gradNorm = Math.Sqrt(g.Sum(x => (double)x * x)), paramNorm = 0.5 * Math.Sqrt(n);
        var optimizer = new NormalizedMomentum { LearningRate = 0.01f };
        optimizer.Add(p, g);

        optimizer.Step();

        for (int i = 0; i < n; i++)
        {
            double expected = 0.5 - 0.01 * paramNorm * g[i] / gradNorm;
            Assert.True(Math.Abs(p[i] - expected) <= 1e-6, $"element {i}: expected {expected:R}, got {p[i]:R}");
        }

        Assert.Equal(0.01 * gradNorm, optimizer.Tensors[0].TensorState(0), 5);
    }
}
