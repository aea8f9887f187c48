using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime;
using System.Threading;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Quick;

/// <summary>Measures quick-table rows: every contender of an optimizer at one size, on the same buffers.</summary>
public static class QuickRunner
{
    /// <summary>The sizes of the table: from a tensor whose arrays fit in L2 (4 Ki: 80 to 112 KiB) to one far beyond the last-level cache (16 Mi: 320 to 448 MiB).</summary>
    public static IReadOnlyList<int> DefaultSizes { get; } = new[] { 4 << 10, 64 << 10, 1 << 20, 16 << 20 };

    /// <summary>
    /// The fewest rounds of KernelGen, the roofline and gcc: their ratios are read to a few percent.
    /// At 16 Mi a step is longer than a sample, the budget allowed 7 to 16 rounds, and on a loaded
    /// machine one memory-bound step moves by 15%: the median of so few moved the ratio to gcc by
    /// ±5% from run to run. 21 rounds cost about a second more per 16 Mi row. (Never more than the
    /// plan's most rounds: a smoke plan stays three.)
    /// </summary>
    public const int TightMinSamples = 21;

    /// <summary>
    /// Measures one row: KernelGen, the roofline and the native peer (when the subject has one)
    /// interleaved with each other, then the naive
    /// loop and TensorPrimitives interleaved with each other. Pairs, not all four: at 16 Mi a
    /// 50 ms scalar step between samples slows the next memory-bound sample by 10 to 15% and
    /// by different amounts for the two that follow it, which moved KernelGen's ratio to the
    /// roofline (the tight one) by 10%; the ratios to naive and TensorPrimitives are large
    /// enough not to care.
    /// </summary>
    /// <param name="subject">The optimizer on its tensor, contenders bound.</param>
    /// <param name="plan">How long to measure each pair.</param>
    public static QuickRow MeasureRow(BenchSubject subject, TimingPlan plan)
    {
        int elements = subject.Arrays.Length;
        TimingPlan tight = plan with
        {
            // Samples an eighth as long, eight times as many (the budget unchanged): as the parallel
            // rows', short samples mostly fit in one of this process's time slices on a loaded
            // machine, where a 2 ms sample nearly always includes a wait.
            Sample = plan.Sample / 8,
            MinSamples = Math.Clamp(TightMinSamples, plan.MinSamples, plan.MaxSamples),
            MaxSamples = plan.MaxSamples * 8,
        };
        Measurement[] fast = StepTimer.Measure(new[] { subject.KernelGen, subject.Roofline, subject.Gcc }.OfType<StepRunner>().ToArray(), tight);
        var baselines = new[] { subject.Naive, subject.TensorPrimitives }.OfType<StepRunner>().ToArray();
        Measurement[] slow = baselines.Length > 0 ? StepTimer.Measure(baselines, plan) : Array.Empty<Measurement>();
        double? PerElement(StepRunner? runner) =>
            runner is null ? null : slow[Array.IndexOf(baselines, runner)].NanosecondsPerStep / elements;
        return new QuickRow(
            subject.Profile.Name,
            elements,
            subject.Path.ToString(),
            subject.Profile.BytesPerElement,
            fast[0].NanosecondsPerStep / elements,
            PerElement(subject.Naive),
            PerElement(subject.TensorPrimitives),
            fast[1].NanosecondsPerStep / elements,
            // Rounded up: an allocation in every sample must not read as zero.
            (long)Math.Ceiling(fast[0].AllocatedBytesPerStep))
        {
            GccNsPerElement = subject.Gcc is null ? null : fast[2].NanosecondsPerStep / elements,
        };
    }

    /// <summary>
    /// Steps every contender of every profile on a small tensor in rounds, with a pause after
    /// each, until a round compiles no method: the runtime compiles hot methods again, optimized,
    /// on a background thread after a quiet moment (slowly when other processes load the machine),
    /// and the table must time that code, not the first compilation.
    /// </summary>
    /// <returns>The rounds it took.</returns>
    public static int WarmUpCompilation(IEnumerable<BenchProfile> profiles, KernelPath path, int maxRounds = 20)
    {
        var runners = new List<StepRunner>();
        foreach (BenchProfile profile in profiles)
        {
            BenchSubject subject = BenchSubject.Create(profile, 4 << 10, path);
            runners.AddRange(new[] { subject.KernelGen, subject.Naive, subject.TensorPrimitives, subject.Roofline }.OfType<StepRunner>());
        }

        long compiled = JitInfo.GetCompiledMethodCount();
        for (int round = 1; round <= maxRounds; round++)
        {
            foreach (StepRunner runner in runners)
            {
                for (int i = 0; i < 64; i++)
                {
                    runner.Step();
                }
            }

            Thread.Sleep(200);
            long now = JitInfo.GetCompiledMethodCount();
            if (round >= 2 && now == compiled)
            {
                return round;
            }

            compiled = now;
        }

        return maxRounds;
    }
}
