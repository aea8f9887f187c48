using System;
using System.IO;
using System.Linq;
using KernelGen.Testing;
using KernelGen.Tests.Kernels;
using KernelGen.Training;
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
    public void AveragesAreKernelsNotOptimizers()
    {
        // No gradient, so no GradientScale, NonFiniteGradients or MaxDegreeOfParallelism to inherit.
        Assert.False(typeof(Optimizer).IsAssignableFrom(typeof(ExponentialMovingAverage)));
        Assert.False(typeof(Optimizer).IsAssignableFrom(typeof(StochasticWeightAverage)));
    }

    [Fact]
    public void AnAverageRegisteredLaterStartsWithACopy()
    {
        float[] first = { 1f }, second = { 10f };
        float[] firstAverage = new float[1], secondAverage = new float[1];
        var swa = new StochasticWeightAverage();
        swa.Add(firstAverage, first);
        swa.Step();
        swa.Step();
        swa.Add(secondAverage, second);
        swa.Step();
        Assert.Equal(new[] { 3, 1 }, new[] { swa.StepCount(0), swa.StepCount(1) });
        Assert.Equal(10f, secondAverage[0]);
    }

    [Fact]
    public void RegistrationRefusesMismatchedOrSharedMemory()
    {
        float[] memory = new float[20];
        var ema = new ExponentialMovingAverage();
        Assert.Throws<ArgumentException>(() => ema.Add(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => ema.Add(memory.AsMemory(0, 5), memory.AsMemory(4, 5)));
        ema.Add(memory.AsMemory(0, 5), memory.AsMemory(5, 5));
        Assert.Throws<ArgumentException>(() => ema.Add(memory.AsMemory(2, 5), memory.AsMemory(10, 5))); // over an average
        Assert.Throws<ArgumentException>(() => ema.Add(memory.AsMemory(5, 5), memory.AsMemory(10, 5))); // over a followed parameter
        Assert.Throws<ArgumentException>(() => ema.Add(memory.AsMemory(10, 5), memory.AsMemory(0, 5))); // following an average
        Assert.Equal(1, ema.Count);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    public void AnOutOfRangeDecayIsRefusedBeforeAnythingChanges(float decay)
    {
        float[] parameters = { 1f, 2f };
        float[] average = { 5f, 6f };
        var ema = new ExponentialMovingAverage { Decay = decay };
        ema.Add(average, parameters);
        Assert.Throws<ArgumentOutOfRangeException>(ema.Step);
        Assert.Equal(new[] { 5f, 6f }, average);
        Assert.Equal(0, ema.StepCount(0));
    }

    /// <summary>
    /// An EMA and an SWA following an SGD run, one average registered late, saved with the
    /// optimizer's checkpoint and resumed in new objects: the averages go on bit for bit as if the
    /// run had not stopped (the average buffers, like the parameters, are restored by their owner).
    /// </summary>
    [Fact]
    public void AveragesResumeBitForBitFromACheckpoint()
    {
        const int total = 9, stop = 4;
        Run uninterrupted = new();
        for (int step = 1; step <= total; step++)
        {
            uninterrupted.Step(step);
        }

        Run before = new();
        for (int step = 1; step <= stop; step++)
        {
            before.Step(step);
        }

        using var checkpoint = new MemoryStream();
        Checkpoint.Save(before.Sgd, checkpoint, before.Options());

        Run resumed = new();
        resumed.CopyBuffersFrom(before);
        checkpoint.Position = 0;
        Checkpoint.Load(resumed.Sgd, checkpoint, resumed.Options());
        Assert.Equal(0.5f, resumed.Ema.Decay);
        for (int step = stop + 1; step <= total; step++)
        {
            resumed.Step(step);
        }

        foreach ((float[] expected, float[] actual) in uninterrupted.Buffers.Zip(resumed.Buffers))
        {
            Assert.True(expected.Zip(actual).All(pair => SameBits.Of(pair.First, pair.Second)), "a buffer differs after the resume");
        }
    }

    [Fact]
    public void ACheckpointOfAnotherNumberOfAveragesIsRefused()
    {
        Run saved = new();
        saved.Step(1);
        saved.Step(2);
        using var checkpoint = new MemoryStream();
        Checkpoint.Save(saved.Sgd, checkpoint, saved.Options());

        var sgd = new SGD { LearningRate = 0.1f };
        sgd.Add(new float[Run.Length], new float[Run.Length]);
        sgd.Add(new float[Run.Length], new float[Run.Length]);
        var ema = new ExponentialMovingAverage();
        ema.Add(new float[Run.Length], new float[Run.Length]);
        var options = new CheckpointOptions();
        options.Participants["ema"] = ema;
        options.Participants["swa"] = new StochasticWeightAverage();
        checkpoint.Position = 0;
        var exception = Assert.Throws<CheckpointException>(() => Checkpoint.Load(sgd, checkpoint, options));
        Assert.Equal(CheckpointError.InvalidValue, exception.Error);
        Assert.Equal(0.999f, ema.Decay);
    }

    [Fact]
    public void AnOwnCheckpointHoldsTheAveragesOnlyWithIncludeParameters()
    {
        float[] parameters = KernelCases.Values(21, seed: 3, scale: 1f);
        float[] average = new float[21];
        var ema = new ExponentialMovingAverage { Decay = 0.25f };
        ema.Add(average, parameters);
        ema.Step();
        ema.Step();

        float[] other = new float[21];
        var resumed = new ExponentialMovingAverage();
        resumed.Add(other, parameters);
        using var withoutAverages = new MemoryStream();
        ema.Save(withoutAverages);
        withoutAverages.Position = 0;
        resumed.Load(withoutAverages);
        Assert.Equal((0.25f, 2), (resumed.Decay, resumed.StepCount(0)));
        Assert.All(other, value => Assert.Equal(0f, value));

        var options = new CheckpointOptions { IncludeParameters = true };
        using var withAverages = new MemoryStream();
        ema.Save(withAverages, options);
        withAverages.Position = 0;
        resumed.Load(withAverages, options);
        Assert.Equal(average, other);
    }

    [Fact]
    public void ALoadIntoAveragesOfOtherLengthsChangesNothing()
    {
        var swa = new StochasticWeightAverage();
        swa.Add(new float[8], new float[8]);
        swa.Step();
        var options = new CheckpointOptions { IncludeParameters = true };
        using var file = new MemoryStream();
        swa.Save(file, options);

        float[] average = { 1f, 2f, 3f };
        var resumed = new StochasticWeightAverage();
        resumed.Add(average, new float[3]);
        file.Position = 0;
        Assert.Throws<CheckpointException>(() => resumed.Load(file, options));
        Assert.Equal(new[] { 1f, 2f, 3f }, average);
        Assert.Equal(0, resumed.StepCount(0));
        Assert.Throws<ArgumentException>(() => swa.Save(new MemoryStream(), new CheckpointOptions { Participants = { [StochasticWeightAverage.CheckpointName] = new ExponentialMovingAverage() } }));
    }

    /// <summary>Two tensors trained by SGD on a quadratic; an EMA follows both, an SWA the second from step 2 on.</summary>
    private sealed class Run
    {
        public const int Length = 37;

        private readonly float[][] _parameters = { KernelCases.Values(Length, seed: 1, scale: 2f), KernelCases.Values(Length, seed: 2, scale: 2f) };
        private readonly float[][] _gradients = { new float[Length], new float[Length] };
        private readonly float[][] _emaAverages = { new float[Length], new float[Length] };
        private readonly float[] _swaAverage = new float[Length];

        public Run()
        {
            for (int i = 0; i < 2; i++)
            {
                Sgd.Add(_parameters[i], _gradients[i]);
                Ema.Add(_emaAverages[i], _parameters[i]);
            }
        }

        public SGD Sgd { get; } = new() { LearningRate = 0.1f, Momentum = 0.9f };

        public ExponentialMovingAverage Ema { get; } = new() { Decay = 0.5f };

        public StochasticWeightAverage Swa { get; } = new();

        public float[][] Buffers => _parameters.Concat(_emaAverages).Append(_swaAverage).ToArray();

        public CheckpointOptions Options()
        {
            var options = new CheckpointOptions();
            options.Participants["ema"] = Ema;
            options.Participants["swa"] = Swa;
            return options;
        }

        public void Step(int step)
        {
            for (int i = 0; i < 2; i++)
            {
                KernelCases.QuadraticGradient(_parameters[i], _gradients[i], step, i);
            }

            Sgd.Step();
            if (step == 2)
            {
                Swa.Add(_swaAverage, _parameters[1]);
            }

            Ema.Step();
            Swa.Step();
        }

        /// <summary>What the owner of the buffers restores: the parameters and the averages; and the registration the run had.</summary>
        public void CopyBuffersFrom(Run other)
        {
            foreach ((float[] from, float[] to) in other.Buffers.Zip(Buffers))
            {
                from.CopyTo(to, 0);
            }

            Swa.Add(_swaAverage, _parameters[1]);
        }
    }

    [Fact]
    public void AccumulationRefusesZeroMicroBatches() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientAccumulation(0));
}
