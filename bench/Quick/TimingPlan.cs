using System;

namespace KernelGen.Bench.Quick;

/// <summary>
/// How long one contender of one row is measured: warm up, then timed samples of a batch of
/// steps each, long enough for the timer, as many as the budget allows within the bounds.
/// </summary>
/// <param name="Warmup">The least time spent stepping before the samples (caches, branch predictors, clock).</param>
/// <param name="Sample">The least time one sample lasts: the batch of steps grows to fill it.</param>
/// <param name="Budget">What the samples of one contender may take together.</param>
/// <param name="MinSamples">Samples taken even when they exceed the budget (16 Mi elements).</param>
/// <param name="MaxSamples">Samples taken at most, however cheap the step (4 Ki elements).</param>
public sealed record TimingPlan(TimeSpan Warmup, TimeSpan Sample, TimeSpan Budget, int MinSamples, int MaxSamples)
{
    /// <summary>The plan of the quick command: about 12 s per three optimizers on this machine.</summary>
    public static TimingPlan Quick { get; } = new(TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(200), 5, 41);

    /// <summary>A plan for tests: three one-step samples (a median that a one-off runtime allocation cannot move), no meaningful timing.</summary>
    public static TimingPlan Smoke { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 3, 3);

    /// <summary>The same plan with every duration scaled by <paramref name="factor"/> (sample bounds kept).</summary>
    public TimingPlan Scale(double factor) => this with { Warmup = Warmup * factor, Sample = Sample * factor, Budget = Budget * factor };
}
