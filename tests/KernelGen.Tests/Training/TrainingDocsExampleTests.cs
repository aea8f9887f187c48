using System;
using KernelGen;
using KernelGen.Schedulers;
using KernelGen.Training;
using Xunit;

namespace KernelGen.Tests.Training;

/// <summary>The example at the top of docs/training.md, verbatim but for the gradients and the checks.</summary>
public sealed class TrainingDocsExampleTests
{
    [Fact]
    public void TheExampleRuns()
    {
        var weights = new float[256];  var weightGradients = new float[256];
        var biases = new float[16];    var biasGradients = new float[16];
        var backbone = new AdamW { LearningRate = 1e-3f, WeightDecay = 0.01f };
        var head = new AdamW { LearningRate = 1e-2f };
        backbone.Add(weights, weightGradients);
        head.Add(biases, biasGradients);
        Optimizer[] groups = { backbone, head };

        var warmup = new LinearLR(groups, startFactor: 0.1, totalIters: 50);
        var cosine = new CosineAnnealingLR(groups, tMax: 950);
        var schedule = new SequentialLR(groups, new LRScheduler[] { warmup, cosine }, milestones: new[] { 50 });
        Assert.Equal(1e-3 * 0.1, schedule.LastLearningRates[0], 1e-18);

        for (int step = 0; step < 1000; step++)
        {
            Backward(weightGradients, biasGradients, step);
            float norm = GradientClipping.ClipGradNorm(groups, maxNorm: 1f);
            Assert.True(norm > 1f); // every step is clipped: the gradients have norm 2 + ...
            backbone.Step();
            head.Step();
            schedule.Step();
            if (step == 49)
            {
                Assert.Equal(new[] { 1e-3, 1e-2 }, schedule.LastLearningRates); // the cosine starts from the base rates
            }
        }

        Assert.Equal(0, schedule.LastLearningRates[1]);
        Assert.Equal(0f, head.LearningRate);
    }

    private static void Backward(float[] weightGradients, float[] biasGradients, int step)
    {
        weightGradients.AsSpan().Fill(0.125f + step % 3);
        biasGradients.AsSpan().Fill(-0.25f);
    }
}
