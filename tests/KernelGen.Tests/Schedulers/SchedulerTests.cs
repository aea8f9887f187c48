using System;
using System.Collections.Generic;
using KernelGen;
using KernelGen.Schedulers;
using Xunit;

namespace KernelGen.Tests.Schedulers;

/// <summary>
/// Edge cases of the schedulers. Expected values marked "torch" were printed by PyTorch 1.13.1
/// running the same calls (the recipes are in the comments).
/// </summary>
public sealed class SchedulerTests
{
    private static SGD Sgd(float lr = 0.1f, float momentum = 0f) => new() { LearningRate = lr, Momentum = momentum };

    private static void AssertClose(double expected, double actual)
        => Assert.True(Math.Abs(expected - actual) <= 1e-15 + 1e-12 * Math.Abs(expected), $"expected {expected:R}, actual {actual:R}");

    [Fact]
    public void TheConstructorTakesTheInitialStep()
    {
        var sgd = Sgd();
        var scheduler = new LinearLR(sgd, startFactor: 0.5, totalIters: 4);

        Assert.Equal(0, scheduler.LastEpoch);
        Assert.Equal(0.05, scheduler.LastLearningRates[0]);
        Assert.Equal(0.05f, sgd.LearningRate);
        Assert.Equal(0.1, scheduler.BaseLearningRates[0]);
    }

    [Fact]
    public void RatesAreKeptInDoubleAndWrittenAsFloat()
    {
        var sgd = Sgd();
        var scheduler = new ExponentialLR(sgd, gamma: 0.93);
        for (int i = 0; i < 30; i++)
        {
            scheduler.Step();
        }

        // The double is torch's 0.1 * 0.93^30 computed step by step; the optimizer has its float.
        double expected = 0.1;
        for (int i = 0; i < 30; i++)
        {
            expected *= 0.93;
        }

        Assert.Equal(expected, scheduler.LastLearningRates[0]);
        Assert.Equal((float)expected, sgd.LearningRate);
    }

    [Fact]
    public void AFloatLearningRateIsReadAsTheDecimalItStandsFor()
    {
        // 0.1f is 0.100000001490116...; torch's lr is the double 0.1.
        var scheduler = new StepLR(Sgd(0.1f), stepSize: 1, gamma: 1);

        Assert.Equal(0.1, scheduler.BaseLearningRates[0]);
        Assert.Equal(0.1, scheduler.LastLearningRates[0]);
    }

    [Fact]
    public void TheRecursiveCosineFollowsARateChangedFromOutside()
    {
        // torch: CosineAnnealingLR(SGD(lr=0.1), T_max=10, eta_min=0.01); 3 steps; group['lr'] = 0.05; 5 steps.
        double[] torch =
        {
            0.09779754323328192, 0.09140576474687263, 0.08145033635316129,
            0.04297717981660215, 0.035192323673649994, 0.027407467530697838, 0.02038464734729999, 0.014811305693872845,
        };
        var sgd = Sgd();
        var scheduler = new CosineAnnealingLR(sgd, tMax: 10, etaMin: 0.01);
        var actual = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            if (i == 3)
            {
                sgd.LearningRate = 0.05f;
            }

            scheduler.Step();
            actual.Add(scheduler.LastLearningRates[0]);
        }

        for (int i = 0; i < torch.Length; i++)
        {
            AssertClose(torch[i], actual[i]);
        }
    }

    [Fact]
    public void LambdaAndMultiplicativeMatchTorch()
    {
        // torch: LambdaLR(lambda e: 0.95 ** e) and MultiplicativeLR(lambda e: 0.9 if e % 2 else 1.0), lr 0.1.
        double[] lambdaTorch = { 0.1, 0.095, 0.09025, 0.0857375, 0.081450625, 0.07737809374999999 };
        double[] multiplicativeTorch = { 0.1, 0.09000000000000001, 0.09000000000000001, 0.08100000000000002, 0.08100000000000002, 0.07290000000000002 };
        var lambda = new LambdaLR(Sgd(), e => Math.Pow(0.95, e));
        var multiplicative = new MultiplicativeLR(Sgd(), e => e % 2 == 1 ? 0.9 : 1.0);
        for (int i = 0; i < lambdaTorch.Length; i++)
        {
            AssertClose(lambdaTorch[i], lambda.LastLearningRates[0]);
            AssertClose(multiplicativeTorch[i], multiplicative.LastLearningRates[0]);
            lambda.Step();
            multiplicative.Step();
        }
    }

    [Fact]
    public void WarmRestartsStepToFractionalEpochsAsTorch()
    {
        // torch: CosineAnnealingWarmRestarts(SGD(lr=0.1), T_0=3, T_mult=2, eta_min=0.001); step(e) for each e.
        (double Epoch, double Lr, double TCur, int TI, int LastEpoch)[] torch =
        {
            (0.5, 0.09336825748732973, 0.5, 3, 0),
            (1.25, 0.06331154273257478, 1.25, 3, 1),
            (3.0, 0.1, 0.0, 6, 3),
            (4.5, 0.0855017856687341, 1.5, 6, 4),
            (9.0, 0.1, 0.0, 12, 9),
            (10.5, 0.0962320368593087, 1.5, 12, 10),
            (22.0, 0.09957652063800362, 1.0, 24, 22),
        };
        var scheduler = new CosineAnnealingWarmRestarts(Sgd(), t0: 3, tMult: 2, etaMin: 0.001);
        foreach ((double epoch, double lr, double tCur, int tI, int lastEpoch) in torch)
        {
            scheduler.Step(epoch);
            AssertClose(lr, scheduler.LastLearningRates[0]);
            Assert.Equal(tCur, scheduler.TCur);
            Assert.Equal(tI, scheduler.TI);
            Assert.Equal(lastEpoch, scheduler.LastEpoch);
        }

        Assert.Throws<ArgumentOutOfRangeException>("epoch", () => scheduler.Step(-1.0));
    }

    [Fact]
    public void ASecondSchedulerStartsFromTheFirstsInitialRate()
    {
        // torch: StepLR(step_size=1, gamma=0.5), 3 steps, then ExponentialLR(gamma=0.9):
        // base_lrs [0.1] (initial_lr), lr stays 0.0125 (its initial step keeps the current rate).
        var sgd = Sgd();
        var first = new StepLR(sgd, stepSize: 1, gamma: 0.5);
        for (int i = 0; i < 3; i++)
        {
            first.Step();
        }

        var second = new ExponentialLR(sgd, gamma: 0.9);

        Assert.Equal(0.1, second.BaseLearningRates[0]);
        Assert.Equal(0.0125, second.LastLearningRates[0]);
    }

    [Fact]
    public void EachGroupHasItsOwnRates()
    {
        // torch: SGD groups with lr 0.1 and 0.01; OneCycleLR(max_lr=[1.0, 0.2], total_steps=10, cycle_momentum=False).
        double[][] torch =
        {
            new[] { 0.040000000000000036, 0.008000000000000007 }, new[] { 0.52, 0.10400000000000001 }, new[] { 1.0, 0.2 },
            new[] { 0.9504846320134737, 0.19009692640269477 }, new[] { 0.8117456539497631, 0.1623491307899526 },
            new[] { 0.6112620219362893, 0.12225240438725786 }, new[] { 0.38874197806371075, 0.07774839561274215 },
            new[] { 0.18825834605023697, 0.0376516692100474 }, new[] { 0.049519367986526286, 0.009903873597305258 },
            new[] { 4e-06, 8e-07 },
        };
        SGD first = Sgd(0.1f);
        SGD second = Sgd(0.01f);
        var scheduler = new OneCycleLR(new[] { first, second }, maxLr: new[] { 1.0, 0.2 }, totalSteps: 10, cycleMomentum: false);
        foreach (double[] step in torch)
        {
            AssertClose(step[0], scheduler.LastLearningRates[0]);
            AssertClose(step[1], scheduler.LastLearningRates[1]);
            Assert.Equal((float)scheduler.LastLearningRates[1], second.LearningRate);
            scheduler.Step();
        }
    }

    [Fact]
    public void OneCycleSteppedPastTheEndThrowsAndChangesNothing()
    {
        var sgd = Sgd(momentum: 0.9f);
        var scheduler = new OneCycleLR(sgd, maxLr: 1.0, totalSteps: 5);
        for (int i = 0; i < 5; i++)
        {
            scheduler.Step(); // up to epoch total_steps, one past the last step, as torch allows
        }

        double lr = scheduler.LastLearningRates[0];
        float momentum = sgd.Momentum;

        var error = Assert.Throws<InvalidOperationException>(scheduler.Step);

        Assert.Equal("Tried to step 7 times. The specified number of total steps is 5.", error.Message);
        Assert.Equal(5, scheduler.LastEpoch);
        Assert.Equal(lr, scheduler.LastLearningRates[0]);
        Assert.Equal((float)lr, sgd.LearningRate);
        Assert.Equal(momentum, sgd.Momentum);
    }

    [Fact]
    public void OneCycleCyclesBeta1OnAdamAndMomentumOnSgd()
    {
        var adam = new Adam { Beta1 = 0.9f, Beta2 = 0.99f };
        _ = new OneCycleLR(adam, maxLr: 0.01, totalSteps: 10, maxMomentum: 0.97);
        var sgd = Sgd(momentum: 0.5f);
        _ = new OneCycleLR(sgd, maxLr: 0.01, totalSteps: 10, maxMomentum: 0.97);

        Assert.Equal(0.97f, adam.Beta1);
        Assert.Equal(0.99f, adam.Beta2);
        Assert.Equal(0.97f, sgd.Momentum);
    }

    [Fact]
    public void PlateauCooldownMatchesTorch()
    {
        // torch: ReduceLROnPlateau(SGD(lr=0.1), factor=0.5, patience=1, cooldown=2), metrics below:
        // (lr, num_bad_epochs, cooldown_counter) after each step.
        double[] metrics = { 1, 1, 1, 1, 1, 1, 1, 1, 0.5, 1, 1, 1 };
        (double Lr, int Bad, int Cooldown)[] torch =
        {
            (0.1, 0, 0), (0.1, 1, 0), (0.05, 0, 2), (0.05, 0, 1), (0.05, 0, 0), (0.05, 1, 0),
            (0.025, 0, 2), (0.025, 0, 1), (0.025, 0, 0), (0.025, 1, 0), (0.0125, 0, 2), (0.0125, 0, 1),
        };
        var sgd = Sgd();
        var plateau = new ReduceLROnPlateau(sgd, factor: 0.5, patience: 1, cooldown: 2);
        for (int i = 0; i < metrics.Length; i++)
        {
            plateau.Step(metrics[i]);
            Assert.Equal(torch[i], (plateau.LastLearningRates[0], plateau.NumBadEpochs, plateau.CooldownCounter));
            Assert.Equal(torch[i].Cooldown > 0, plateau.InCooldown);
        }

        Assert.Equal(0.5, plateau.Best);
    }

    [Fact]
    public void PlateauStopsAtMinLrAndSkipsReductionsBelowEps()
    {
        var sgd = Sgd(0.01f);
        var plateau = new ReduceLROnPlateau(sgd, factor: 0.5, patience: 0, minLr: 0.004, eps: 0.0015);
        plateau.Step(1); // best
        plateau.Step(1); // 0.01 -> 0.005
        plateau.Step(1); // 0.005 -> max(0.0025, 0.004) = 0.004: a change of 0.001 < eps, skipped

        Assert.Equal(0.005, plateau.LastLearningRates[0]);
    }

    [Fact]
    public void SequentialLRChecksItsArguments()
    {
        var sgd = Sgd();
        var other = Sgd();
        var warmup = new LinearLR(sgd);
        var cosine = new CosineAnnealingLR(sgd, tMax: 10);

        Assert.Throws<ArgumentException>("milestones", () => new SequentialLR(sgd, new LRScheduler[] { warmup, cosine }, new[] { 1, 2 }));
        Assert.Throws<ArgumentException>("schedulers", () => new SequentialLR(other, new LRScheduler[] { warmup, cosine }, new[] { 5 }));
        Assert.Throws<ArgumentException>("schedulers", () => new SequentialLR(sgd, new LRScheduler[] { warmup, new ChainedScheduler(new LRScheduler[] { cosine }) }, new[] { 5 }));
        Assert.Throws<ArgumentException>("schedulers", () => new SequentialLR(sgd, Array.Empty<LRScheduler>(), Array.Empty<int>()));
        Assert.Throws<ArgumentException>("schedulers", () => new ChainedScheduler(new LRScheduler[] { warmup, new StepLR(other, 3) }));
        Assert.Throws<ArgumentException>("schedulers", () => new ChainedScheduler(Array.Empty<LRScheduler>()));
    }

    [Fact]
    public void BadArgumentsThrowNamingTheArgument()
    {
        SGD sgd = Sgd(momentum: 0.9f);
        Assert.Throws<ArgumentOutOfRangeException>("stepSize", () => new StepLR(sgd, 0));
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => new ConstantLR(sgd, factor: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => new ConstantLR(sgd, factor: 0, totalIters: 3));
        Assert.Throws<ArgumentOutOfRangeException>("startFactor", () => new LinearLR(sgd, startFactor: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>("startFactor", () => new LinearLR(sgd, startFactor: 0));
        Assert.Throws<ArgumentOutOfRangeException>("endFactor", () => new LinearLR(sgd, endFactor: 2));
        Assert.Throws<ArgumentOutOfRangeException>("tMax", () => new CosineAnnealingLR(sgd, 0));
        Assert.Throws<ArgumentOutOfRangeException>("t0", () => new CosineAnnealingWarmRestarts(sgd, 0));
        Assert.Throws<ArgumentOutOfRangeException>("tMult", () => new CosineAnnealingWarmRestarts(sgd, 5, tMult: 0));
        Assert.Throws<ArgumentOutOfRangeException>("stepSizeUp", () => new CyclicLR(sgd, 0.01, 0.1, stepSizeUp: 0));
        Assert.Throws<ArgumentOutOfRangeException>("stepSizeDown", () => new CyclicLR(sgd, 0.01, 0.1, stepSizeDown: -1));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => new CyclicLR(sgd, 0.01, 0.1, mode: (CyclicLRMode)7));
        Assert.Throws<ArgumentException>("baseLr", () => new CyclicLR(sgd, new[] { 0.01, 0.02 }, 0.1));
        Assert.Throws<ArgumentException>("cycleMomentum", () => new CyclicLR(new Adam(), 0.01, 0.1));
        Assert.Throws<ArgumentException>("totalSteps", () => new OneCycleLR(sgd, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>("totalSteps", () => new OneCycleLR(sgd, 0.1, totalSteps: 0));
        Assert.Throws<ArgumentOutOfRangeException>("epochs", () => new OneCycleLR(sgd, 0.1, epochs: 0, stepsPerEpoch: 3));
        Assert.Throws<ArgumentOutOfRangeException>("stepsPerEpoch", () => new OneCycleLR(sgd, 0.1, epochs: 2));
        Assert.Throws<ArgumentOutOfRangeException>("pctStart", () => new OneCycleLR(sgd, 0.1, totalSteps: 10, pctStart: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>("pctStart", () => new OneCycleLR(sgd, 0.1, totalSteps: 10, pctStart: 0.1));
        Assert.Throws<ArgumentOutOfRangeException>("annealStrategy", () => new OneCycleLR(sgd, 0.1, totalSteps: 10, annealStrategy: (AnnealStrategy)3));
        Assert.Throws<ArgumentException>("maxMomentum", () => new OneCycleLR(sgd, 0.1, totalSteps: 10, maxMomentum: new[] { 0.9, 0.9 }));
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => new ReduceLROnPlateau(sgd, factor: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => new ReduceLROnPlateau(sgd, mode: (PlateauMode)2));
        Assert.Throws<ArgumentOutOfRangeException>("thresholdMode", () => new ReduceLROnPlateau(sgd, thresholdMode: (ThresholdMode)2));
        Assert.Throws<ArgumentException>("minLr", () => new ReduceLROnPlateau(sgd, minLr: new[] { 0.1, 0.2 }));
        Assert.Throws<ArgumentException>("lrLambdas", () => new LambdaLR(sgd, new Func<int, double>[] { e => 1, e => 2 }));
        Assert.Throws<ArgumentException>("optimizers", () => new StepLR(default(OptimizerGroups), 3));
        Assert.Throws<ArgumentException>("optimizers", () => new StepLR(new[] { sgd, sgd }, 3));
    }

    [Fact]
    public void AnOptimizerWithoutALearningRateIsRefused()
    {
        Assert.Throws<ArgumentException>("optimizers", () => new StepLR(new NoLearningRate(), 3));
    }

    public static IEnumerable<object[]> Schedulers()
    {
        yield return new object[] { "StepLR", (Func<SGD, Action>)(o => new StepLR(o, 3).Step) };
        yield return new object[] { "MultiStepLR", (Func<SGD, Action>)(o => new MultiStepLR(o, new[] { 5, 9 }).Step) };
        yield return new object[] { "ConstantLR", (Func<SGD, Action>)(o => new ConstantLR(o).Step) };
        yield return new object[] { "LinearLR", (Func<SGD, Action>)(o => new LinearLR(o).Step) };
        yield return new object[] { "ExponentialLR", (Func<SGD, Action>)(o => new ExponentialLR(o, 0.99).Step) };
        yield return new object[] { "PolynomialLR", (Func<SGD, Action>)(o => new PolynomialLR(o, 40, 2).Step) };
        yield return new object[] { "CosineAnnealingLR", (Func<SGD, Action>)(o => new CosineAnnealingLR(o, 7).Step) };
        yield return new object[] { "CosineAnnealingWarmRestarts", (Func<SGD, Action>)(o => new CosineAnnealingWarmRestarts(o, 3, 2).Step) };
        yield return new object[] { "CyclicLR", (Func<SGD, Action>)(o => new CyclicLR(o, 0.01, 0.1, stepSizeUp: 3, mode: CyclicLRMode.Triangular2).Step) };
        yield return new object[] { "OneCycleLR", (Func<SGD, Action>)(o => new OneCycleLR(o, 0.1, totalSteps: 1000, threePhase: true).Step) };
        yield return new object[] { "LambdaLR", (Func<SGD, Action>)(o => new LambdaLR(o, static e => 1.0 / (1 + e)).Step) };
        yield return new object[] { "MultiplicativeLR", (Func<SGD, Action>)(o => new MultiplicativeLR(o, static e => 0.99).Step) };
        yield return new object[] { "SequentialLR", (Func<SGD, Action>)(o => new SequentialLR(o, new LRScheduler[] { new LinearLR(o), new CosineAnnealingLR(o, 10) }, new[] { 5 }).Step) };
        yield return new object[] { "ChainedScheduler", (Func<SGD, Action>)(o => new ChainedScheduler(new LRScheduler[] { new ConstantLR(o), new ExponentialLR(o, 0.9) }).Step) };
        yield return new object[] { "ReduceLROnPlateau", (Func<SGD, Action>)(o => { var p = new ReduceLROnPlateau(o, patience: 1); return () => p.Step(1.0); }) };
    }

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void StepAllocatesNothing(string name, Func<SGD, Action> create)
    {
        Action step = create(Sgd(momentum: 0.9f));
        step(); // first-use work (JIT, statics) happens here
        Assert.True(AllocationProbe.LeastAllocatedOver(step, steps: 100) == 0, $"{name} allocated while stepping");
    }

    /// <summary>An optimizer with no learning rate (the rule's hyper-parameters are irrelevant here).</summary>
    private sealed class NoLearningRate : Optimizer
    {
        public override UpdateRule Rule => throw new NotSupportedException();

        public override System.Collections.Generic.IReadOnlyList<string> HyperparameterNames => Array.Empty<string>();

        public override bool TrySetHyperparameter(string name, double value) => false;

        public override bool TryGetHyperparameter(string name, out double value)
        {
            value = 0;
            return false;
        }

        protected override void StepTensors(Span<ParameterTensor> tensors, KernelPath path) => throw new NotSupportedException();

        protected override void StepTensorWithRule(ParameterTensor tensor, int step) => throw new NotSupportedException();

        protected override void WriteHyperparameters(Span<double> values) => throw new NotSupportedException();
    }
}
