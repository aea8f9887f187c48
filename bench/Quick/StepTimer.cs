using System;
using System.Collections.Generic;
using System.Diagnostics;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Quick;

/// <summary>
/// Times the contenders of one row: each is warmed up, then they take samples in interleaved
/// rounds (one sample each per round) and each gets the median of its samples. Interleaving
/// exposes every contender to the same noise from other processes on this shared machine, so the
/// ratios hold when the absolute figures move; the median, not the mean, so an interrupted sample
/// does not move the figure. The order of a round rotates, and goes backwards every other round,
/// so that each contender starts rounds as often as the others and follows each of the others as
/// often: the contenders share buffers, and what one leaves in the caches (dirty lines to write
/// back past the last-level cache) is met by the one after it. A rotation alone made each
/// contender follow the same one in every round.
/// </summary>
public static class StepTimer
{
    /// <summary>Measures <paramref name="runners"/> under <paramref name="plan"/>; one measurement per runner, in order.</summary>
    public static Measurement[] Measure(IReadOnlyList<StepRunner> runners, TimingPlan plan)
    {
        int count = runners.Count;
        var batch = new int[count];
        long roundTicks = 0;
        for (int r = 0; r < count; r++)
        {
            long oneStep = WarmUp(runners[r], plan.Warmup);
            batch[r] = (int)Math.Clamp(ToTicks(plan.Sample) / oneStep, 1, 1_000_000);
            roundTicks += oneStep * batch[r];
        }

        int rounds = (int)Math.Clamp(ToTicks(plan.Budget) / Math.Max(1, roundTicks), plan.MinSamples, plan.MaxSamples);
        var perStep = new double[count][];
        var allocatedPerStep = new double[count][];
        for (int r = 0; r < count; r++)
        {
            perStep[r] = new double[rounds];
            allocatedPerStep[r] = new double[rounds];
        }

        for (int round = 0; round < rounds; round++)
        {
            int first = round % count;
            for (int j = 0; j < count; j++)
            {
                int r = round % 2 == 0 ? (first + j) % count : (first - j + count) % count;
                Sample(runners[r], batch[r], out perStep[r][round], out allocatedPerStep[r][round]);
            }
        }

        var measurements = new Measurement[count];
        for (int r = 0; r < count; r++)
        {
            // The median of allocations too: the runtime itself allocates on this thread now and
            // then (starting its background compiler thread), once; a step that allocates does so in every sample.
            measurements[r] = new Measurement(Median((double[])perStep[r].Clone()), Median(allocatedPerStep[r]), rounds, batch[r], perStep[r]);
        }

        return measurements;
    }

    /// <summary>
    /// The median over the rounds of <paramref name="numerator"/>'s sample time over
    /// <paramref name="denominator"/>'s in the same round (two contenders of one measurement). Each
    /// ratio compares samples taken moments apart, so a burst of other work that slows a whole
    /// round cancels out of it, where the ratio of the two medians keeps what the bursts did to
    /// each median.
    /// </summary>
    public static double MedianRatio(Measurement numerator, Measurement denominator)
    {
        int rounds = numerator.NanosecondsPerStepByRound.Count;
        if (denominator.NanosecondsPerStepByRound.Count != rounds)
        {
            throw new ArgumentException("The two measurements must come from the same rounds.", nameof(denominator));
        }

        var ratios = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            ratios[round] = numerator.NanosecondsPerStepByRound[round] / denominator.NanosecondsPerStepByRound[round];
        }

        return Median(ratios);
    }

    /// <summary>The median (the mean of the middle two for an even count). Sorts <paramref name="values"/>.</summary>
    public static double Median(double[] values)
    {
        Array.Sort(values);
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /// <summary>
    /// Steps at least three times and for at least <paramref name="time"/>; returns the fastest
    /// step's ticks (at least 1). Not the last step's: on a loaded machine the last one may have
    /// been descheduled, and a batch sized from it made that contender's samples a fraction of
    /// the others', so it met fewer of the waits that a sample of the full length meets.
    /// </summary>
    private static long WarmUp(StepRunner runner, TimeSpan time)
    {
        long end = Stopwatch.GetTimestamp() + ToTicks(time);
        long fastest = long.MaxValue;
        for (int i = 0; i < 3 || Stopwatch.GetTimestamp() < end; i++)
        {
            long start = Stopwatch.GetTimestamp();
            runner.Step();
            fastest = Math.Min(fastest, Math.Max(1, Stopwatch.GetTimestamp() - start));
        }

        return fastest;
    }

    private static void Sample(StepRunner runner, int batch, out double nanosecondsPerStep, out double allocatedPerStep)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < batch; i++)
        {
            runner.Step();
        }

        nanosecondsPerStep = (Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency) / batch;
        allocatedPerStep = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / batch;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
