using System;

namespace KernelGen.Bench.Quick;

/// <summary>
/// How long the contenders of one row are measured: each warms up, then they take samples in
/// interleaved rounds (each sample a batch of steps long enough for the timer), as many rounds
/// as the budget allows within the bounds.
/// </summary>
/// <param name="Warmup">The least time each contender steps before the samples (caches, branch predictors, clock).</param>
/// <param name="Sample">The least time one sample lasts: the batch of steps grows to fill it.</param>
/// <param name="Budget">What all rounds of one group of contenders may take together.</param>
/// <param name="MinSamples">Rounds taken even when they exceed the budget (16 Mi elements): odd, so the median is one sample.</param>
/// <param name="MaxSamples">Rounds taken at most, however cheap the steps (4 Ki elements).</param>
public sealed record TimingPlan(TimeSpan Warmup, TimeSpan Sample, TimeSpan Budget, int MinSamples, int MaxSamples)
{
    /// <summary>The plan of the quick command: about 15 s for three optimizers on this machine.</summary>
    public static TimingPlan Quick { get; } = new(TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(400), 7, 41);

    /// <summary>A plan for tests: three one-step rounds (a median that a one-off runtime allocation cannot move), no meaningful timing.</summary>
    public static TimingPlan Smoke { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 3, 3);

    /// <summary>The same plan with every duration scaled by <paramref name="factor"/> (sample bounds kept).</summary>
    public TimingPlan Scale(double factor) => this with { Warmup = Warmup * factor, Sample = Sample * factor, Budget = Budget * factor };
}
