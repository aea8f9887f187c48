using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Testing;
using KernelGen.Tests.Checkpoints;
using KernelGen.Tests.Kernels;
using KernelGen.Training;
using Xunit;

namespace KernelGen.Tests.Reliability;

/// <summary>
/// Checkpoints of everything with state beyond an optimizer's tensors: a resumed run equals the
/// uninterrupted one bit for bit (Lookahead, schedule-free modes, EMA/SWA, accumulation), and a
/// checkpoint that could not be resumed correctly is refused, changing nothing.
/// </summary>
public sealed class CheckpointReliabilityTests
{
    private static float[] Gradient(int length, int step, int tensor) => KernelCases.Values(length, seed: 100 * step + tensor, scale: 0.5f);

    private static (Lookahead Lookahead, float[][] Parameters, float[][] Gradients) NewLookahead(LookaheadPullback pullback, int k, float alpha)
    {
        var inner = new SGD { LearningRate = 0.05f, Momentum = 0.9f };
        var lookahead = new Lookahead(inner, k, alpha, pullback);
        int[] lengths = { 37, 5, 64 };
        float[][] parameters = lengths.Select((n, t) => KernelCases.Values(n, seed: 3 + t, scale: 1f)).ToArray();
        float[][] gradients = lengths.Select(n => new float[n]).ToArray();
        for (int t = 0; t < lengths.Length; t++)
        {
            lookahead.Add(parameters[t], gradients[t]);
        }

        return (lookahead, parameters, gradients);
    }

    private static void Train(Lookahead lookahead, float[][] gradients, int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            for (int t = 0; t < gradients.Length; t++)
            {
                Gradient(gradients[t].Length, step, t).CopyTo(gradients[t], 0);
            }

            lookahead.Step();
        }
    }

    [Theory]
    [InlineData(LookaheadPullback.None, 7)]
    [InlineData(LookaheadPullback.Reset, 9)]
    [InlineData(LookaheadPullback.Pullback, 3)]
    [InlineData(LookaheadPullback.Pullback, 11)]
    public void LookaheadResumesBitForBit(LookaheadPullback pullback, int savedAt)
    {
        var (uninterrupted, _, gradientsA) = NewLookahead(pullback, k: 4, alpha: 0.6f);
        Train(uninterrupted, gradientsA, 0, 20);

        var (first, _, gradientsB) = NewLookahead(pullback, k: 4, alpha: 0.6f);
        Train(first, gradientsB, 0, savedAt);
        var file = new MemoryStream();
        Checkpoint.Save(first, file, new CheckpointOptions { IncludeParameters = true });

        // The resumed run starts from other settings and parameters: the checkpoint restores them all.
        var (resumed, _, gradientsC) = NewLookahead(LookaheadPullback.None, k: 2, alpha: 0.1f);
        file.Position = 0;
        Checkpoint.Load(resumed, file, new CheckpointOptions { IncludeParameters = true });
        for (int t = 0; t < gradientsB.Length; t++)
        {
            gradientsB[t].CopyTo(gradientsC[t], 0); // the hash covers the gradients, which checkpoints do not hold
        }

        Assert.Equal(StateHash.Of(first), StateHash.Of(resumed));
        Train(resumed, gradientsC, savedAt, 20);
        Assert.Equal(StateHash.Of(uninterrupted), StateHash.Of(resumed));
    }

    [Fact]
    public void ALookaheadCheckpointAndAPlainOneDoNotPassForEachOther()
    {
        var (lookahead, _, gradients) = NewLookahead(LookaheadPullback.None, k: 3, alpha: 0.5f);
        Train(lookahead, gradients, 0, 2);
        var withSlow = new MemoryStream();
        Checkpoint.Save(lookahead, withSlow);
        var plain = new MemoryStream();
        Checkpoint.Save(lookahead.Inner, plain);

        var exception = StateHash.Refused<CheckpointException>(() => Checkpoint.Load(lookahead, new MemoryStream(plain.ToArray())), new[] { "lookahead_slow_param' is missing" }, lookahead);
        Assert.Equal(CheckpointError.Mismatch, exception.Error);
        StateHash.Refused<CheckpointException>(() => Checkpoint.Load(lookahead.Inner, new MemoryStream(withSlow.ToArray())), new[] { "lookahead_slow_param', which the target does not" }, lookahead);
    }

    [Fact]
    public void AForgedLookaheadCounterIsRefused()
    {
        var (lookahead, _, gradients) = NewLookahead(LookaheadPullback.None, k: 3, alpha: 0.5f);
        Train(lookahead, gradients, 0, 2);
        var file = new MemoryStream();
        Checkpoint.Save(lookahead, file);
        byte[] forged = Forge(file.ToArray(), "\"groups.0.lookahead.counter\":\"2\"", "\"groups.0.lookahead.counter\":\"7\"");
        StateHash.Refused<CheckpointException>(() => Checkpoint.Load(lookahead, new MemoryStream(forged)), new[] { "lookahead", "'counter' is '7'" }, lookahead);
    }

    [Theory]
    [InlineData("ScheduleFreeAdamW")]
    [InlineData("ScheduleFreeSGD")]
    public void TheScheduleFreeModeIsInTheCheckpoint(string name)
    {
        Optimizer Create() => name == "ScheduleFreeAdamW" ? new ScheduleFreeAdamW { LearningRate = 0.01f } : new ScheduleFreeSGD { LearningRate = 0.01f };
        (Optimizer Optimizer, float[][] Gradients) Run()
        {
            Optimizer optimizer = Create();
            float[][] gradients = CheckpointFixtures.Register(optimizer, new[] { 19, 3 });
            for (int step = 1; step <= 4; step++)
            {
                CheckpointFixtures.Train(optimizer, gradients, step);
            }

            ((IScheduleFree)optimizer).Eval();
            return (optimizer, gradients);
        }

        var (uninterrupted, gradientsA) = Run();
        var (saved, _) = Run();
        var options = new CheckpointOptions { IncludeParameters = true };
        byte[] file = CheckpointFixtures.Save(saved, options);

        Optimizer resumed = Create();
        float[][] gradientsC = CheckpointFixtures.Register(resumed, new[] { 19, 3 });
        Checkpoint.Load(resumed, new MemoryStream(file), options);
        Assert.False(((IScheduleFree)resumed).TrainMode);

        foreach (var (optimizer, gradients) in new[] { (uninterrupted, gradientsA), (resumed, gradientsC) })
        {
            ((IScheduleFree)optimizer).Train();
            CheckpointFixtures.Train(optimizer, gradients, 5);
        }

        Assert.Equal(StateHash.Of(uninterrupted), StateHash.Of(resumed));

        byte[] forged = Forge(file, "\"groups.0.schedule_free.train_mode\":\"false\"", "\"groups.0.schedule_free.train_mode\":\"maybe\"");
        StateHash.Refused<CheckpointException>(() => Checkpoint.Load(resumed, new MemoryStream(forged), options), new[] { "schedule_free", "train_mode" }, resumed);
    }

    [Fact]
    public void AStepCountThatWouldOverflowIsRefusedOnLoad()
    {
        var sgd = new SGD { LearningRate = 0.1f };
        sgd.Add(new float[3], new float[3]);
        sgd.Tensors[0].Step = int.MaxValue;
        byte[] file = CheckpointFixtures.Save(sgd);

        var target = new SGD();
        target.Add(new float[3], new float[3]);
        var exception = StateHash.Refused<CheckpointException>(() => Checkpoint.Load(target, new MemoryStream(file)), new[] { "'state.0.step' is 2147483647", "[0, 2147483646]" }, target);
        Assert.Equal(CheckpointError.InvalidValue, exception.Error);

        sgd.Tensors[0].Step = int.MaxValue - 1;
        Checkpoint.Load(target, new MemoryStream(CheckpointFixtures.Save(sgd)));
        Assert.Equal(int.MaxValue - 1, target.Tensors[0].Step);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AveragesResumeBitForBitWithTheirAverages(bool swa)
    {
        ParameterAverage NewAverage() => swa ? new StochasticWeightAverage() : new ExponentialMovingAverage { Decay = 0.9f };
        float[] model = KernelCases.Values(41, seed: 5, scale: 1f);
        (ParameterAverage Average, float[] Buffer) Start()
        {
            ParameterAverage average = NewAverage();
            float[] buffer = new float[model.Length];
            average.Add(buffer, model);
            return (average, buffer);
        }

        void Advance(ParameterAverage average, int from, int to)
        {
            for (int step = from; step < to; step++)
            {
                KernelCases.Values(model.Length, seed: step, scale: 1f).CopyTo(model, 0);
                average.Step();
            }
        }

        var (uninterrupted, expected) = Start();
        Advance(uninterrupted, 0, 9);
        var (saved, _) = Start();
        Advance(saved, 0, 4);

        // The averages are saved with IncludeParameters, as an optimizer's parameters are.
        var options = new CheckpointOptions { IncludeParameters = true };
        using var file = new MemoryStream();
        saved.Save(file, options);
        var (resumed, actual) = Start();
        file.Position = 0;
        resumed.Load(file, options);
        Assert.Equal(4, resumed.StepCount(0));
        Advance(resumed, 4, 9);
        Assert.Equal(uninterrupted.StepCount(0), resumed.StepCount(0));
        Assert.True(expected.Zip(actual).All(pair => SameBits.Of(pair.First, pair.Second)), "the resumed average differs");
    }

    [Fact]
    public void GradientAccumulationRoundTripsBetweenCyclesAndRefusesAMidCycleSave()
    {
        using var folder = new CheckpointFixtures.TempFolder();
        var sgd = new SGD { LearningRate = 0.1f };
        float[] micro = { 1f, 2f }, accumulated = new float[2];
        sgd.Add(new float[2], accumulated);
        var accumulation = new GradientAccumulation(3);
        accumulation.Add(micro, accumulated);
        var options = new CheckpointOptions { Participants = { ["accumulation"] = accumulation } };
        string path = folder.File("run.safetensors");
        Checkpoint.SaveFile(sgd, path, options);

        accumulation.Accumulate();
        var exception = StateHash.Refused<InvalidOperationException>(() => Checkpoint.SaveFile(sgd, path, options),
            new[] { "1 of 3 micro-batches" }, sgd, new DirectoryInfo(folder.Path));
        Assert.Contains("Save after the optimizer's step", exception.Message, StringComparison.Ordinal);

        accumulation.Accumulate();
        Assert.True(accumulation.Accumulate());
        sgd.Step();
        Checkpoint.SaveFile(sgd, path, options);
        var resumed = new GradientAccumulation(3);
        var resumedSgd = new SGD();
        resumedSgd.Add(new float[2], new float[2]);
        Checkpoint.LoadFile(resumedSgd, path, new CheckpointOptions { Participants = { ["accumulation"] = resumed } });
        Assert.Equal(0, resumed.Accumulated);

        var other = new GradientAccumulation(4);
        StateHash.Refused<CheckpointException>(() => Checkpoint.LoadFile(resumedSgd, path, new CheckpointOptions { Participants = { ["accumulation"] = other } }),
            new[] { "'micro_batches' is '3'" }, resumedSgd);
    }

    [Fact]
    public void ALongFileNameLeavesRoomForTheTemporaryFile()
    {
        using var folder = new CheckpointFixtures.TempFolder();
        byte[] expected = CheckpointFixtures.SavedSgd(out SGD sgd);
        string path = folder.File(new string('c', 240) + ".ckpt"); // 245 characters: the old temporary name added 38
        Checkpoint.SaveFile(sgd, path);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void ALoadDuringAStepIsRefused()
    {
        var optimizer = new ReentrantRule();
        optimizer.Add(new float[4], new float[4]);
        var file = new MemoryStream();
        Checkpoint.Save(optimizer, file);
        optimizer.DuringStep = () => Checkpoint.Load(optimizer, new MemoryStream(file.ToArray()));
        StateHash.Refused<InvalidOperationException>(optimizer.Step, new[] { "a checkpoint load was called while Step was running" }, optimizer);
    }

    /// <summary>Replaces text of the header by text of the same length and writes the checksum the changed file needs, as a forger would.</summary>
    private static byte[] Forge(byte[] file, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        byte[] pattern = System.Text.Encoding.UTF8.GetBytes(from);
        int at = file.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"the checkpoint has no {from}");
        byte[] forged = (byte[])file.Clone();
        System.Text.Encoding.UTF8.GetBytes(to).CopyTo(forged, at);
        return SafetensorsSpec.Reseal(forged);
    }
}
