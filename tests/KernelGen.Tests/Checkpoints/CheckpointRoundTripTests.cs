using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KernelGen.Tests.Kernels;
using Xunit;
using static KernelGen.Tests.Checkpoints.CheckpointFixtures;

namespace KernelGen.Tests.Checkpoints;

/// <summary>A run saved at step k and resumed in new optimizers follows, bit for bit, the run that never stopped.</summary>
public class CheckpointRoundTripTests
{
    private const int TotalSteps = 12;
    private const int SavedAt = 5;

    [Theory]
    [MemberData(nameof(OptimizerAndPath), MemberType = typeof(CheckpointFixtures))]
    public void ResumedRunEqualsUninterruptedRun(string optimizer, KernelPath path)
    {
        (Func<Optimizer> configured, Func<Optimizer> fresh) = Cases[optimizer];

        Optimizer uninterrupted = configured();
        uninterrupted.Path = path;
        float[][] gradients = Register(uninterrupted, Lengths);
        for (int s = 1; s <= TotalSteps; s++)
        {
            Train(uninterrupted, gradients, s);
        }

        Optimizer first = configured();
        first.Path = path;
        float[][] firstGradients = Register(first, Lengths);
        for (int s = 1; s <= SavedAt; s++)
        {
            Train(first, firstGradients, s);
        }

        var options = new CheckpointOptions { IncludeParameters = true };
        using var folder = new TempFolder();
        string file = folder.File("resume.safetensors");
        Checkpoint.SaveFile(first, file, options);

        // A new process, in effect: new optimizer with default hyper-parameters, new zeroed parameters.
        Optimizer resumed = fresh();
        resumed.Path = path;
        float[][] resumedGradients = Register(resumed, Lengths, zeroParameters: true);
        Checkpoint.LoadFile(resumed, file, options);
        Assert.Equal(Snapshot.Of(first), Snapshot.Of(resumed));
        for (int s = SavedAt + 1; s <= TotalSteps; s++)
        {
            Train(resumed, resumedGradients, s);
        }

        Assert.Equal(Snapshot.Of(uninterrupted), Snapshot.Of(resumed));
    }

    [Theory]
    [MemberData(nameof(PathsData))]
    public void ParameterGroupsResumeBitForBit(KernelPath path)
    {
        static (ParameterGroups Groups, float[][][] Gradients) Build(KernelPath path, bool fresh)
        {
            Optimizer decayed = fresh ? new AdamW() : new AdamW { LearningRate = 0.02f, WeightDecay = 0.1f, Amsgrad = true };
            Optimizer plain = fresh ? new AdamW() : new AdamW { LearningRate = 0.02f, WeightDecay = 0f };
            Optimizer momentum = fresh ? new SGD() : new SGD { LearningRate = 0.1f, Momentum = 0.9f };
            var gradients = new[]
            {
                Register(decayed, new[] { 33, 16 }, fresh),
                Register(plain, new[] { 5 }, fresh),
                Register(momentum, new[] { 70, 1 }, fresh),
            };
            var groups = new ParameterGroups(decayed, plain, momentum) { Path = path };
            return (groups, gradients);
        }

        static void TrainAll((ParameterGroups Groups, float[][][] Gradients) run, int step)
        {
            for (int g = 0; g < run.Groups.Groups.Count; g++)
            {
                Train(run.Groups.Groups[g], run.Gradients[g], step);
            }
        }

        var uninterrupted = Build(path, fresh: false);
        var first = Build(path, fresh: false);
        for (int s = 1; s <= TotalSteps; s++)
        {
            TrainAll(uninterrupted, s);
            if (s <= SavedAt)
            {
                TrainAll(first, s);
            }
        }

        var options = new CheckpointOptions { IncludeParameters = true };
        var stream = new MemoryStream();
        Checkpoint.Save(first.Groups, stream, options);
        var resumed = Build(path, fresh: true);
        stream.Position = 0;
        Checkpoint.Load(resumed.Groups, stream, options);
        for (int s = SavedAt + 1; s <= TotalSteps; s++)
        {
            TrainAll(resumed, s);
        }

        for (int g = 0; g < 3; g++)
        {
            Assert.Equal(Snapshot.Of(uninterrupted.Groups.Groups[g]), Snapshot.Of(resumed.Groups.Groups[g]));
        }
    }

    public static IEnumerable<object[]> PathsData() => KernelCases.SupportedPaths.Select(p => new object[] { p });

    [Fact]
    public void FileFollowsTheSafetensorsSpecWithTorchNames()
    {
        var adam = new Adam { LearningRate = 0.01f, Amsgrad = true };
        float[][] gradients = Register(adam, new[] { 5, 3 });
        Train(adam, gradients, 1);
        Train(adam, gradients, 2);
        byte[] bytes = Save(adam, new CheckpointOptions { IncludeParameters = true });

        SafetensorsSpec file = SafetensorsSpec.Read(bytes);
        // Data aligned as the reference writer aligns it: header padded to 8, wider dtypes first,
        // so every tensor sits on a multiple of its element size and can be viewed in place.
        Assert.Equal(0, (8 + file.HeaderLength) % 8);
        Assert.All(file.Tensors.Values, t => Assert.Equal(0, t.FileOffset % (t.DType == "I64" ? 8 : 4)));
        Assert.Equal(
            new[]
            {
                "param.0", "param.1",
                "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.0.step",
                "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq", "state.1.step",
            },
            file.Tensors.Keys.Order(StringComparer.Ordinal));
        for (int t = 0; t < 2; t++)
        {
            ParameterTensor tensor = adam.Tensors[t];
            Assert.Equal("F32", file.Tensors[$"state.{t}.exp_avg"].DType);
            Assert.Equal(new long[] { tensor.Length }, file.Tensors[$"state.{t}.exp_avg"].Shape);
            Assert.Equal(tensor.State(0).ToArray(), file.Floats($"state.{t}.exp_avg"));
            Assert.Equal(tensor.State(1).ToArray(), file.Floats($"state.{t}.exp_avg_sq"));
            Assert.Equal(tensor.State(2).ToArray(), file.Floats($"state.{t}.max_exp_avg_sq"));
            Assert.Equal(tensor.Parameter.ToArray(), file.Floats($"param.{t}"));
            Assert.Equal("I64", file.Tensors[$"state.{t}.step"].DType);
            Assert.Empty(file.Tensors[$"state.{t}.step"].Shape);
            Assert.Equal(2, file.Int64($"state.{t}.step"));
        }

        Assert.Equal("kernelgen.optimizer", file.Metadata["format"]);
        Assert.Equal("1", file.Metadata["format_version"]);
        Assert.Equal("KernelGen.Adam", file.Metadata["groups.0.optimizer"]);
        Assert.Equal("0,1", file.Metadata["groups.0.params"]);
        Assert.Equal(0.01f, (float)double.Parse(file.Metadata["groups.0.hyperparameters.LearningRate"], CultureInfo.InvariantCulture));
        Assert.Equal("1", file.Metadata["groups.0.hyperparameters.Amsgrad"]);
        (uint recorded, uint computed) = SafetensorsSpec.Checksums(bytes);
        Assert.Equal(computed, recorded);
    }

    [Fact]
    public void TheIndependentChecksumIsCrc32C()
    {
        // The standard check value of CRC-32C over "123456789": the test's own CRC, which the
        // runtime's recorded checksums are compared with, is the right one.
        Assert.Equal(0xE3069283u, SafetensorsSpec.Crc32C("123456789"u8));
    }

    [Fact]
    public void AFileFromAnotherWriterLoads()
    {
        byte[] bytes = SavedSgd(out SGD sgd);
        byte[] other = SafetensorsSpec.Read(bytes).Write();
        Assert.NotEqual(bytes, other);

        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Checkpoint.Load(target, new MemoryStream(other));
        Assert.Equal(Snapshot.Of(sgd, parameters: false), Snapshot.Of(target, parameters: false));
        Assert.Equal(0.9f, target.Momentum);
    }

    [Fact]
    public void SaveIsDeterministicAndLoadReadsExactlyTheCheckpoint()
    {
        byte[] bytes = SavedSgd(out SGD sgd);
        Assert.Equal(bytes, Save(sgd));

        // Two checkpoints back to back in one stream: each load stops at its checkpoint's end.
        var stream = new MemoryStream();
        stream.Write(bytes);
        stream.Write(bytes);
        stream.Position = 0;
        var target = new SGD();
        Register(target, new[] { 3, 2 });
        Checkpoint.Load(target, stream);
        Assert.Equal(bytes.Length, stream.Position);
        Checkpoint.Load(target, stream);
        Assert.Equal(stream.Length, stream.Position);

        var forward = new ForwardOnlyStream(bytes.Concat(new byte[] { 1, 2, 3 }).ToArray());
        Checkpoint.Load(target, forward);
        Assert.Equal(bytes.Length, forward.BytesRead);
    }

    [Fact]
    public void ParametersAreRestoredOnlyWhenAsked()
    {
        byte[] bytes = Save(SavedSgdWithParameters(out SGD sgd), new CheckpointOptions { IncludeParameters = true });
        var target = new SGD();
        Register(target, new[] { 3, 2 }, zeroParameters: true);
        Checkpoint.Load(target, new MemoryStream(bytes));
        Assert.All(target.Tensors, t => Assert.All(t.Parameter.ToArray(), v => Assert.Equal(0f, v)));
        Assert.Equal(sgd.Tensors[0].State(0).ToArray(), target.Tensors[0].State(0).ToArray());

        Checkpoint.Load(target, new MemoryStream(bytes), new CheckpointOptions { IncludeParameters = true });
        Assert.Equal(sgd.Tensors[1].Parameter.ToArray(), target.Tensors[1].Parameter.ToArray());
    }

    private static SGD SavedSgdWithParameters(out SGD sgd)
    {
        SavedSgd(out sgd);
        return sgd;
    }

    [Fact]
    public void ParticipantsAreSavedAndRestoredWithTheOptimizer()
    {
        var schedule = new CounterState { Epoch = 7, LastRate = 0.125 };
        var options = new CheckpointOptions();
        options.Participants["scheduler"] = schedule;
        var sgd = new SGD();
        Register(sgd, new[] { 4 });
        var stream = new MemoryStream();
        Checkpoint.Save(sgd, stream, options);
        Assert.Equal("7", SafetensorsSpec.Read(stream.ToArray()).Metadata["extra.scheduler.epoch"]);

        var restored = new CounterState();
        var loadOptions = new CheckpointOptions();
        loadOptions.Participants["scheduler"] = restored;
        stream.Position = 0;
        Checkpoint.Load(sgd, stream, loadOptions);
        Assert.Equal((7, 0.125), (restored.Epoch, restored.LastRate));
    }

    [Fact]
    public void AnOptimizerWithoutTensorsRoundTrips()
    {
        var adamW = new AdamW { LearningRate = 0.5f };
        byte[] bytes = Save(adamW);
        Assert.Empty(SafetensorsSpec.Read(bytes).Tensors);
        var target = new AdamW();
        Checkpoint.Load(target, new MemoryStream(bytes));
        Assert.Equal(0.5f, target.LearningRate);
    }

    [Fact]
    public void SavingOverAFileReplacesItWhole()
    {
        using var folder = new TempFolder();
        string file = folder.File("optimizer.safetensors");
        var big = new Adam();
        Register(big, new[] { 1000 });
        Checkpoint.SaveFile(big, file);
        var small = new SGD { Momentum = 0.5f };
        Register(small, new[] { 2 });
        Checkpoint.SaveFile(small, file);

        Assert.Equal(Save(small), File.ReadAllBytes(file));
        Assert.Equal(new[] { file }, Directory.GetFiles(folder.Path));
    }

    /// <summary>A scheduler-like participant: an epoch counter and the last rate, committed only when the whole checkpoint is accepted.</summary>
    internal sealed class CounterState : ICheckpointState
    {
        public int Epoch { get; set; }

        public double LastRate { get; set; }

        public bool Refuse { get; set; }

        public void Save(IDictionary<string, string> state)
        {
            if (Refuse)
            {
                throw new InvalidOperationException("cannot save now");
            }

            state["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture);
            state["last_rate"] = LastRate.ToString("R", CultureInfo.InvariantCulture);
        }

        public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
        {
            int epoch = int.Parse(state["epoch"], CultureInfo.InvariantCulture);
            double rate = double.Parse(state["last_rate"], CultureInfo.InvariantCulture);
            if (Refuse || epoch < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(state), epoch, "the epoch is refused");
            }

            return () => (Epoch, LastRate) = (epoch, rate);
        }
    }
}
