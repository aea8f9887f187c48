using System;
using System.Collections.Generic;
using KernelGen.Schedulers;

namespace KernelGen.SchedulerPlots;

/// <summary>
/// Every learning-rate scheduler of KernelGen.Schedulers, set up for a run of <see cref="Steps"/>
/// steps from a base rate of <see cref="BaseRate"/>, and the rate it gives at every step.
/// </summary>
public static class SchedulerShapes
{
    /// <summary>The run's length, in scheduler steps.</summary>
    public const int Steps = 100;

    /// <summary>The optimizer's learning rate before the scheduler is built.</summary>
    public const float BaseRate = 0.1f;

    /// <summary>One scheduler's shape: a file name, a title with its settings, the rate before every step.</summary>
    public sealed record Shape(string FileName, string Title, double[] Rates);

    /// <summary>Runs every scheduler for <see cref="Steps"/> steps on an optimizer of its own.</summary>
    public static IReadOnlyList<Shape> All() => new[]
    {
        Run("step-lr", "StepLR(stepSize: 30, gamma: 0.1)", o => new StepLR(o, stepSize: 30, gamma: 0.1)),
        Run("multi-step-lr", "MultiStepLR(milestones: 30, 60, 80, gamma: 0.5)", o => new MultiStepLR(o, new[] { 30, 60, 80 }, gamma: 0.5)),
        Run("constant-lr", "ConstantLR(factor: 1/3, totalIters: 20)", o => new ConstantLR(o, factor: 1.0 / 3, totalIters: 20)),
        Run("linear-lr", "LinearLR(startFactor: 0.1, totalIters: 25)", o => new LinearLR(o, startFactor: 0.1, totalIters: 25)),
        Run("exponential-lr", "ExponentialLR(gamma: 0.97)", o => new ExponentialLR(o, gamma: 0.97)),
        Run("polynomial-lr", "PolynomialLR(totalIters: 100, power: 2)", o => new PolynomialLR(o, totalIters: 100, power: 2)),
        Run("cosine-annealing-lr", "CosineAnnealingLR(tMax: 100)", o => new CosineAnnealingLR(o, tMax: 100)),
        Run("cosine-annealing-warm-restarts", "CosineAnnealingWarmRestarts(t0: 20, tMult: 2)", o => new CosineAnnealingWarmRestarts(o, t0: 20, tMult: 2)),
        Run("cyclic-lr-triangular", "CyclicLR(baseLr: 0.01, maxLr: 0.1, stepSizeUp: 15)",
            o => new CyclicLR(o, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 15, cycleMomentum: false)),
        Run("cyclic-lr-triangular2", "CyclicLR(..., mode: Triangular2)",
            o => new CyclicLR(o, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 15, mode: CyclicLRMode.Triangular2, cycleMomentum: false)),
        Run("one-cycle-lr", "OneCycleLR(maxLr: 0.1, totalSteps: 101)", o => new OneCycleLR(o, maxLr: 0.1, totalSteps: Steps + 1)),
        Run("one-cycle-lr-three-phase", "OneCycleLR(..., annealStrategy: Linear, threePhase: true)",
            o => new OneCycleLR(o, maxLr: 0.1, totalSteps: Steps + 1, annealStrategy: AnnealStrategy.Linear, threePhase: true)),
        Run("lambda-lr", "LambdaLR(epoch => 1 / (1 + 0.05 epoch))", o => new LambdaLR(o, epoch => 1 / (1 + 0.05 * epoch))),
        Run("multiplicative-lr", "MultiplicativeLR(epoch => 0.98)", o => new MultiplicativeLR(o, _ => 0.98)),
        Run("sequential-lr", "SequentialLR(LinearLR, CosineAnnealingLR; milestone 10)", o =>
            new SequentialLR(o, new LRScheduler[] { new LinearLR(o, startFactor: 0.1, totalIters: 10), new CosineAnnealingLR(o, tMax: 90) }, new[] { 10 })),
        Run("chained-scheduler", "ChainedScheduler(ConstantLR(0.5, 20), ExponentialLR(0.98))", o =>
            new ChainedScheduler(new LRScheduler[] { new ConstantLR(o, factor: 0.5, totalIters: 20), new ExponentialLR(o, gamma: 0.98) })),
        Plateau(),
    };

    private static Shape Run(string fileName, string title, Func<Optimizer, LRScheduler> create)
    {
        var optimizer = new SGD { LearningRate = BaseRate };
        LRScheduler scheduler = create(optimizer);
        var rates = new double[Steps];
        for (int step = 0; step < Steps; step++)
        {
            rates[step] = scheduler.LastLearningRates[0];
            scheduler.Step();
        }

        return new Shape(fileName, title, rates);
    }

    /// <summary>ReduceLROnPlateau fed a loss that falls until step 30 and stays flat after.</summary>
    private static Shape Plateau()
    {
        var optimizer = new SGD { LearningRate = BaseRate };
        var scheduler = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 10);
        var rates = new double[Steps];
        for (int step = 0; step < Steps; step++)
        {
            rates[step] = scheduler.LastLearningRates[0];
            scheduler.Step(Math.Max(0.25, 1 / (1 + 0.1 * step)));
        }

        return new Shape("reduce-lr-on-plateau", "ReduceLROnPlateau(factor: 0.5, patience: 10)", rates);
    }
}
