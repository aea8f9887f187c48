using System;
using System.Linq;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>The example at the top of docs/optimizers.md, verbatim but for the gradients and the checks.</summary>
public sealed class OptimizersDocsExampleTests
{
    [Fact]
    public void TheExampleRuns()
    {
        var weights = new float[4096];  var gradients = new float[4096];
        var optimizer = new ScheduleFreeAdamW { LearningRate = 2e-3f, WarmupSteps = 100 };
        optimizer.Add(weights, gradients);
        var lookahead = new Lookahead(optimizer, k: 5, alpha: 0.5f);

        for (int step = 0; step < 1000; step++)
        {
            Backward(weights, gradients);
            lookahead.Step();
        }

        Assert.Equal(0, lookahead.Counter);
        Assert.Equal(weights, lookahead.SlowWeights(0).ToArray()); // 1000 is a multiple of k: just synced
        float[] y = (float[])weights.Clone();

        optimizer.Eval();
        Assert.False(optimizer.TrainMode);
        Assert.NotEqual(y, weights);
        Evaluate(weights);

        optimizer.Train();
        Assert.True(optimizer.TrainMode);
        Assert.All(weights.Zip(y), pair => Assert.Equal(pair.Second, pair.First, 1e-5));
    }

    // The gradient of ½‖w − 1‖²: every weight is pulled towards 1.
    private static void Backward(float[] weights, float[] gradients)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            gradients[i] = weights[i] - 1f;
        }
    }

    private static void Evaluate(float[] weights) => Assert.All(weights, w => Assert.InRange(w, 0.5f, 1.5f));
}
