using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KernelGen.Schedulers;
using Xunit;
using static KernelGen.Tests.Checkpoints.CheckpointFixtures;

namespace KernelGen.Tests.Checkpoints;

/// <summary>
/// An optimizer and its scheduler saved at step k and resumed into new ones built with the same
/// arguments follow, bit for bit, the run that never stopped: rates, momentums and parameters.
/// </summary>
public class SchedulerCheckpointTests
{
    private const int TotalSteps = 24;

    /// <summary>How to build a scheduler kind on its optimizers, and how to step it.</summary>
    private sealed record Case(Func<Optimizer[]> Optimizers, Func<Optimizer[], ICheckpointState> Build, Action<ICheckpointState, int>? StepWith = null)
    {
        public void Step(ICheckpointState scheduler, int step)
        {
            if (StepWith is not null)
            {
                StepWith(scheduler, step);
            }
            else
            {
                ((LRScheduler)scheduler).Step();
            }
        }
    }

    private static Optimizer[] TwoSgd() => new Optimizer[]
    {
        new SGD { LearningRate = 0.05f, Momentum = 0.9f, WeightDecay = 0.01f },
        new SGD { LearningRate = 0.1f, Momentum = 0.8f },
    };

    private static Optimizer[] AdamWAndSgd() => new Optimizer[]
    {
        new AdamW { LearningRate = 0.01f, WeightDecay = 0.1f },
        new SGD { LearningRate = 0.1f, Momentum = 0.9f },
    };

    // A metric with improvements, plateaus and a late improvement, so the counters and the
    // cooldown are mid-way at some save points.
    private static double Metric(int step) => step < 4 ? 10.0 - step : step < 15 ? 6.5 + (step % 2) * 0.25 : 3.0 - step * 0.01;

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["StepLR"] = new(TwoSgd, o => new StepLR(o, stepSize: 4, gamma: 0.7)),
        ["MultiStepLR"] = new(TwoSgd, o => new MultiStepLR(o, new[] { 3, 9, 9, 17 }, gamma: 0.5)),
        ["CosineAnnealingLR"] = new(AdamWAndSgd, o => new CosineAnnealingLR(o, tMax: 7, etaMin: 0.001)),
        ["CosineAnnealingWarmRestarts"] = new(TwoSgd, o => new CosineAnnealingWarmRestarts(o, t0: 3, tMult: 2, etaMin: 0.0005)),
        ["OneCycleLR"] = new(AdamWAndSgd, o => new OneCycleLR(o, maxLr: new[] { 0.02, 0.3 }, totalSteps: TotalSteps, threePhase: true)),
        ["CyclicLR"] = new(TwoSgd, o => new CyclicLR(o, baseLr: 0.01, maxLr: new[] { 0.1, 0.2 }, stepSizeUp: 3, stepSizeDown: 5, mode: CyclicLRMode.Triangular2)),
        ["CyclicLR scaleFn"] = new(TwoSgd, o => new CyclicLR(o, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4, scaleFn: x => 1 / (1.0 + x), scaleMode: CyclicScaleMode.Iterations)),
        ["ReduceLROnPlateau"] = new(
            TwoSgd,
            o => new ReduceLROnPlateau(o, factor: 0.5, patience: 2, cooldown: 2, minLr: new[] { 0.0, 0.02 }),
            (s, step) => ((ReduceLROnPlateau)s).Step(Metric(step))),
        ["SequentialLR"] = new(AdamWAndSgd, o => new SequentialLR(
            o,
            new LRScheduler[] { new LinearLR(o, startFactor: 0.1, totalIters: 5), new CosineAnnealingLR(o, tMax: 12), new ExponentialLR(o, gamma: 0.9) },
            milestones: new[] { 5, 15 })),
        ["ChainedScheduler"] = new(TwoSgd, o => new ChainedScheduler(new LRScheduler[] { new ExponentialLR(o, gamma: 0.95), new StepLR(o, stepSize: 5, gamma: 0.5) })),
        ["LambdaLR"] = new(TwoSgd, o => new LambdaLR(o, new Func<int, double>[] { e => 1.0 / (e + 1), e => Math.Pow(0.9, e) })),
        ["MultiplicativeLR"] = new(TwoSgd, o => new MultiplicativeLR(o, e => e % 3 == 0 ? 0.5 : 0.97)),
        ["PolynomialLR"] = new(TwoSgd, o => new PolynomialLR(o, totalIters: 10, power: 2)),
        ["ConstantLR"] = new(TwoSgd, o => new ConstantLR(o, factor: 0.25, totalIters: 6)),
    };

    public static IEnumerable<object[]> CaseAndSavePoint() =>
        from name in Cases.Keys
        from savedAt in new[] { 2, 11 }
        select new object[] { name, savedAt };

    private sealed class Run
    {
        public Run(Case kind, bool zeroParameters)
        {
            Optimizers = kind.Optimizers();
            Gradients = Optimizers.Select((o, g) => Register(o, new[] { 19 + g, 3 }, zeroParameters)).ToArray();
            Groups = new ParameterGroups(Optimizers);
            Scheduler = kind.Build(Optimizers);
        }

        public Optimizer[] Optimizers { get; }

        public float[][][] Gradients { get; }

        public ParameterGroups Groups { get; }

        public ICheckpointState Scheduler { get; }

        public List<string> Trace { get; } = new();

        public void Step(Case kind, int step)
        {
            for (int g = 0; g < Optimizers.Length; g++)
            {
                Train(Optimizers[g], Gradients[g], step);
            }

            kind.Step(Scheduler, step);
            Trace.Add(Describe());
        }

        /// <summary>The rates the scheduler reports and every optimizer's state and hyper-parameters (momentums included), as bits.</summary>
        public string Describe()
        {
            IReadOnlyList<double> last = Scheduler is ReduceLROnPlateau plateau ? plateau.LastLearningRates : ((LRScheduler)Scheduler).LastLearningRates;
            return string.Join(",", last.Select(v => BitConverter.DoubleToInt64Bits(v).ToString("x16")))
                + " " + string.Join(" ", Optimizers.Select(o => Snapshot.Of(o).Text));
        }
    }

    [Theory]
    [MemberData(nameof(CaseAndSavePoint))]
    public void ResumedRunEqualsUninterruptedRun(string name, int savedAt)
    {
        Case kind = Cases[name];
        var uninterrupted = new Run(kind, zeroParameters: false);
        var first = new Run(kind, zeroParameters: false);
        for (int s = 1; s <= TotalSteps; s++)
        {
            uninterrupted.Step(kind, s);
            if (s <= savedAt)
            {
                first.Step(kind, s);
            }
        }

        var options = new CheckpointOptions { IncludeParameters = true };
        options.Participants["scheduler"] = first.Scheduler;
        var stream = new MemoryStream();
        Checkpoint.Save(first.Groups, stream, options);

        // A new process, in effect: the same code builds new optimizers (new zeroed parameters)
        // and a new scheduler with the same arguments, whose constructor takes its initial step.
        var resumed = new Run(kind, zeroParameters: true);
        var loadOptions = new CheckpointOptions { IncludeParameters = true };
        loadOptions.Participants["scheduler"] = resumed.Scheduler;
        stream.Position = 0;
        Checkpoint.Load(resumed.Groups, stream, loadOptions);
        Assert.Equal(first.Describe(), resumed.Describe());
        for (int s = savedAt + 1; s <= TotalSteps; s++)
        {
            resumed.Step(kind, s);
        }

        Assert.Equal(uninterrupted.Trace.Skip(savedAt), resumed.Trace);
    }

    [Fact]
    public void ThePairsAreTorchsStateAndRoundTripDoubles()
    {
        Optimizer[] optimizers = TwoSgd();
        var scheduler = new CosineAnnealingWarmRestarts(optimizers, t0: 3, tMult: 2);
        for (int s = 0; s < 5; s++)
        {
            scheduler.Step();
        }

        var pairs = new Dictionary<string, string>();
        scheduler.Save(pairs);
        Assert.Equal("CosineAnnealingWarmRestarts", pairs["type"]);
        Assert.Equal("2", pairs["group_count"]);
        Assert.Equal("5", pairs["last_epoch"]);
        Assert.Equal("6", pairs["t_i"]);
        Assert.Equal("2", pairs["t_cur"]);
        for (int g = 0; g < 2; g++)
        {
            // "R": the text parses back to the very double the scheduler holds.
            double lr = double.Parse(pairs[$"groups.{g}.lr"], CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.DoubleToInt64Bits(scheduler.LastLearningRates[g]), BitConverter.DoubleToInt64Bits(lr));
            Assert.Equal(scheduler.BaseLearningRates[g], double.Parse(pairs[$"groups.{g}.initial_lr"], CultureInfo.InvariantCulture));
        }

        // The example in docs/checkpoints.md, exactly.
        var stepLr = new StepLR(TwoSgd(), stepSize: 3);
        stepLr.Step();
        stepLr.Step();
        var example = new Dictionary<string, string>();
        stepLr.Save(example);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["base_lrs.0"] = "0.05", ["base_lrs.1"] = "0.1", ["group_count"] = "2",
                ["groups.0.initial_lr"] = "0.05", ["groups.0.lr"] = "0.05",
                ["groups.1.initial_lr"] = "0.1", ["groups.1.lr"] = "0.1",
                ["last_epoch"] = "2", ["step_count"] = "3", ["last_lrs.0"] = "0.05", ["last_lrs.1"] = "0.1",
                ["type"] = "StepLR",
            },
            example);

        var sequence = (SequentialLR)Cases["SequentialLR"].Build(TwoSgd());
        var composite = new Dictionary<string, string>();
        sequence.Save(composite);
        Assert.Equal("3", composite["scheduler_count"]);
        Assert.Equal("LinearLR", composite["schedulers.0.type"]);
        Assert.Equal("-1", composite["schedulers.2.last_epoch"]);
    }

    [Fact]
    public void AnotherGroupCountIsRefusedAndChangesNothing()
    {
        // Saved: an optimizer whose scheduler drives it and a second optimizer.
        Optimizer[] saved = TwoSgd();
        Register(saved[0], new[] { 4 });
        var savedScheduler = new StepLR(saved, stepSize: 2, gamma: 0.5);
        for (int s = 0; s < 3; s++)
        {
            savedScheduler.Step();
        }

        var options = new CheckpointOptions();
        options.Participants["scheduler"] = savedScheduler;
        var stream = new MemoryStream();
        Checkpoint.Save(saved[0], stream, options);

        // Loaded: the same optimizer, but a scheduler on it alone.
        var target = new SGD { LearningRate = 0.3f };
        Register(target, new[] { 4 });
        var scheduler = new StepLR(target, stepSize: 2, gamma: 0.5);
        scheduler.Step();
        var before = new Dictionary<string, string>();
        scheduler.Save(before);
        double[] lastBefore = scheduler.LastLearningRates.ToArray();

        var loadOptions = new CheckpointOptions();
        loadOptions.Participants["scheduler"] = scheduler;
        CheckpointException error = Refused(target, stream.ToArray(), CheckpointError.InvalidValue, loadOptions);
        var inner = Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Contains("number of parameter groups", inner.Message);
        Assert.Contains("'2'", inner.Message);

        var after = new Dictionary<string, string>();
        scheduler.Save(after);
        Assert.Equal(before, after);
        Assert.Equal(lastBefore, scheduler.LastLearningRates);
        Assert.Equal(0.3f, target.LearningRate);

        // And it still steps as it would have.
        scheduler.Step();
        Assert.Equal(0.15, scheduler.LastLearningRates[0], 15);
    }

    public static IEnumerable<object[]> BadStates() => new[]
    {
        new object[] { "type", "CosineAnnealingLR", "scheduler kind" },
        new object[] { "group_count", "1", "number of parameter groups" },
        new object[] { "groups.1.lr", "NaN", "not a finite number" },
        new object[] { "groups.0.lr", "Infinity", "not a finite number" },
        new object[] { "base_lrs.0", "0,1", "not a finite number" },
        new object[] { "last_epoch", "-2", "not an integer" },
        new object[] { "step_count", "1.5", "not an integer" },
        new object[] { "unknown", "1", "not part of this scheduler's state" },
        new object[] { "last_lrs.0", null!, "missing" },
    };

    [Theory]
    [MemberData(nameof(BadStates))]
    public void PrepareLoadRefusesBadStateWithoutChangingAnything(string key, string? value, string message)
    {
        Optimizer[] source = TwoSgd();
        var saved = new StepLR(source, stepSize: 2);
        saved.Step();
        saved.Step();
        var pairs = new Dictionary<string, string>();
        saved.Save(pairs);
        if (value is null)
        {
            pairs.Remove(key);
        }
        else
        {
            pairs[key] = value;
        }

        Optimizer[] optimizers = TwoSgd();
        var scheduler = new StepLR(optimizers, stepSize: 2);
        var before = new Dictionary<string, string>();
        scheduler.Save(before);
        var error = Assert.Throws<InvalidDataException>(() => scheduler.PrepareLoad(pairs));
        Assert.Contains(message, error.Message);
        var after = new Dictionary<string, string>();
        scheduler.Save(after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void CompositesAndSpecialStateAreValidated()
    {
        Optimizer[] optimizers = TwoSgd();
        var two = new SequentialLR(optimizers, new LRScheduler[] { new ConstantLR(optimizers), new ExponentialLR(optimizers, 0.9) }, new[] { 3 });
        var pairs = new Dictionary<string, string>();
        two.Save(pairs);

        Optimizer[] others = TwoSgd();
        var three = (SequentialLR)Cases["SequentialLR"].Build(others);
        Assert.Contains("number of child schedulers", Assert.Throws<InvalidDataException>(() => three.PrepareLoad(pairs)).Message);

        var oneCycle = new OneCycleLR(TwoSgd(), maxLr: 0.1, totalSteps: 10);
        var cycle = new Dictionary<string, string>();
        oneCycle.Save(cycle);
        var longer = new OneCycleLR(TwoSgd(), maxLr: 0.1, totalSteps: 20);
        Assert.Contains("total_steps", Assert.Throws<InvalidDataException>(() => longer.PrepareLoad(cycle)).Message);

        var plateau = new ReduceLROnPlateau(TwoSgd());
        var plateauPairs = new Dictionary<string, string>();
        plateau.Save(plateauPairs);
        Assert.Equal("Infinity", plateauPairs["best"]);
        plateauPairs["best"] = "NaN";
        Assert.Contains("'best'", Assert.Throws<InvalidDataException>(() => new ReduceLROnPlateau(TwoSgd()).PrepareLoad(plateauPairs)).Message);
        Assert.Contains("scheduler kind", Assert.Throws<InvalidDataException>(() => new StepLR(TwoSgd(), 2).PrepareLoad(plateauPairs)).Message);
    }
}
