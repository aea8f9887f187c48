using System;
using System.Collections.Generic;
using KernelGen.Schedulers;
using Xunit;

namespace KernelGen.Tests.Reliability;

/// <summary>Schedule-free mode switches and schedulers pushed to their limits: refused, or still right.</summary>
public sealed class ModeAndScheduleTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(1.5f)]
    [InlineData(-0.5f)]
    public void ScheduleFreeEvalAndTrainCheckTheHyperParameters(float beta)
    {
        var adamW = new ScheduleFreeAdamW();
        var sgd = new ScheduleFreeSGD();
        foreach (Optimizer optimizer in new Optimizer[] { adamW, sgd })
        {
            optimizer.Add(new float[] { 1f, 2f, 3f }, new float[] { 0.5f, -0.5f, 1f });
            optimizer.Step();
        }

        adamW.Beta1 = beta;
        sgd.Momentum = beta;
        StateHash.Refused<ArgumentOutOfRangeException>(adamW.Eval, new[] { "Beta1" }, adamW);
        StateHash.Refused<ArgumentOutOfRangeException>(sgd.Eval, new[] { "Momentum" }, sgd);
        Assert.True(adamW.TrainMode && sgd.TrainMode);

        adamW.Beta1 = 0.9f;
        sgd.Momentum = 0.9f;
        adamW.Eval();
        sgd.Eval();
        adamW.Beta1 = beta;
        sgd.Momentum = beta;
        StateHash.Refused<ArgumentOutOfRangeException>(adamW.Train, new[] { "Beta1" }, adamW);
        StateHash.Refused<ArgumentOutOfRangeException>(sgd.Train, new[] { "Momentum" }, sgd);
        Assert.False(adamW.TrainMode || sgd.TrainMode);
    }

    [Fact]
    public void WarmRestartsKeepAFinitePeriodPastIntsRange()
    {
        var sgd = new SGD { LearningRate = 0.1f };
        var scheduler = new CosineAnnealingWarmRestarts(sgd, t0: 1, tMult: 65536, etaMin: 0.001);
        for (int epoch = 1; epoch <= 1 + 65536 + 5; epoch++)
        {
            scheduler.Step();
        }

        // Restarts after epoch 1 (period 65536) and after epoch 65537 (period 2^32, past int).
        Assert.Equal(1L << 32, scheduler.TI);
        Assert.Equal(5.0, scheduler.TCur);
        double expected = 0.001 + (0.1 - 0.001) * (1 + Math.Cos(Math.PI * 5.0 / (1L << 32))) / 2;
        Assert.Equal(expected, scheduler.LastLearningRates[0]);
        Assert.Equal((float)expected, sgd.LearningRate);

        scheduler.Step(65537.0 + 3.0);
        Assert.Equal(1L << 32, scheduler.TI);
        Assert.Equal(3.0, scheduler.TCur);
        Assert.Throws<ArgumentOutOfRangeException>("epoch", () => scheduler.Step(3e9));
    }

    [Fact]
    public void AnEpochCountAtItsEndIsRefusedBeforeItWraps()
    {
        var sgd = new SGD { LearningRate = 0.1f };
        var stepLR = new StepLR(sgd, stepSize: 3);
        var plateau = new ReduceLROnPlateau(sgd);
        foreach (ICheckpointState scheduler in new ICheckpointState[] { stepLR, plateau })
        {
            var state = new Dictionary<string, string>();
            scheduler.Save(state);
            state["last_epoch"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
            scheduler.PrepareLoad(state)();
        }

        float rate = sgd.LearningRate;
        var exception = Assert.Throws<InvalidOperationException>(stepLR.Step);
        Assert.Contains("overflow", exception.Message, StringComparison.Ordinal);
        Assert.Equal(int.MaxValue, stepLR.LastEpoch);
        Assert.Throws<InvalidOperationException>(() => plateau.Step(1.0));
        Assert.Equal(int.MaxValue, plateau.LastEpoch);
        Assert.Equal(rate, sgd.LearningRate);
    }
}
