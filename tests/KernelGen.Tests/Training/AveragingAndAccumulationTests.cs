using System;
using Xunit;

namespace KernelGen.Tests.Training;

/// <summary>Parameter averages and gradient accumulation, both generated kernels.</summary>
public class AveragingAndAccumulationTests
{
    [Fact]
    public void ExponentialMovingAverageFollowsItsFormula()
    {
        float[] parameters = { 1f, -2f, 4f };
        float[] average = new float[3];
        var ema = new ExponentialMovingAverage { Decay = 0.75f };
        ema.Add(average, parameters);
        ema.Step();
        Assert.Equal(parameters, average); // the first step copies
        parameters[0] = 3f;
        ema.Step();
        Assert.Equal(0.75f * 1f + (1f - 0.75f) * 3f, average[0]);
        Assert.Equal(-2f, average[1]);
        Assert.Equal(new[] { 3f, -2f, 4f }, parameters); // the followed parameters are read only
    }

    [Fact]
    public void StochasticWeightAverageIsTheRunningMean()
    {
        float[] parameters = { 1f };
        float[] average = new float[1];
        var swa = new StochasticWeightAverage();
        swa.Add(average, parameters);
        foreach (float value in new[] { 1f, 2f, 3f, 6f })
        {
            parameters[0] = value;
            swa.Step();
        }

        Assert.Equal(3f, average[0]);
    }

    [Theory]
    [InlineData(AccumulationMode.Sum)]
    [InlineData(AccumulationMode.Mean)]
    public void AccumulationCombinesMicroBatchesAndStartsOverEachCycle(AccumulationMode mode)
    {
        const int k = 3;
        float[] micro = new float[5];
        float[] accumulated = new float[5];
        var accumulation = new GradientAccumulation(k, mode);
        accumulation.Add(micro, accumulated);
        for (int cycle = 0; cycle < 2; cycle++)
        {
            var sum = new float[5];
            for (int m = 0; m < k; m++)
            {
                for (int i = 0; i < micro.Length; i++)
                {
                    micro[i] = (cycle + 1) * (m + 1) * (i - 2) * 0.37f;
                    sum[i] = m == 0 ? micro[i] : sum[i] + micro[i];
                }

                bool ready = accumulation.Accumulate();
                Assert.Equal(m == k - 1, ready);
            }

            for (int i = 0; i < sum.Length; i++)
            {
                Assert.Equal(mode == AccumulationMode.Mean ? sum[i] / k : sum[i], accumulated[i]);
            }
        }
    }

    [Fact]
    public void AccumulationRefusesZeroMicroBatches() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientAccumulation(0));
}
