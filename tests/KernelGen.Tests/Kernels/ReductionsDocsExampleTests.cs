using System;
using System.Linq;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests.Kernels;

// docs/reductions.md's optimizer, verbatim.

/// <summary>Momentum on the gradient divided by its norm, scaled by the parameter's norm: one step moves a tensor by a fixed share of its size.</summary>
[Optimizer]
public sealed partial class NormalizedMomentum
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float Beta { get; set; } = 0.9f;
    [Hyperparameter] public float Epsilon { get; set; } = 1e-8f;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float momentum, float learningRate, float beta, float epsilon,
        [TensorState] ref float gradNormAverage)
    {
        float gradNorm = KernelMath.Norm(grad);          // ‖g‖ over the whole tensor: one value
        float paramNorm = KernelMath.Norm(param);        // ‖p‖, taken before the update changes p
        gradNormAverage = 0.99f * gradNormAverage + 0.01f * gradNorm;   // per-tensor state, for monitoring
        momentum = beta * momentum + grad / (gradNorm + epsilon);
        float scale = paramNorm > 0f ? learningRate * paramNorm : learningRate;
        param -= scale * momentum;
    }
}

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
