using System;
using System.Collections.Generic;
using System.Threading;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Quick;

/// <summary>Measures quick-table rows: every contender of an optimizer at one size, on the same buffers.</summary>
public static class QuickRunner
{
    /// <summary>The sizes of the table: from L1-resident (4 Ki) to far beyond the last-level cache (16 Mi).</summary>
    public static IReadOnlyList<int> DefaultSizes { get; } = new[] { 4 << 10, 64 << 10, 1 << 20, 16 << 20 };

    /// <summary>Measures one row.</summary>
    /// <param name="subject">The optimizer on its tensor, contenders bound.</param>
    /// <param name="plan">How long to measure each contender.</param>
    public static QuickRow MeasureRow(BenchSubject subject, TimingPlan plan)
    {
        int elements = subject.Arrays.Length;
        Measurement kernelGen = StepTimer.Measure(subject.KernelGen, plan);
        double? naive = PerElement(subject.Naive, plan, elements);
        double? tensorPrimitives = PerElement(subject.TensorPrimitives, plan, elements);
        double? roofline = PerElement(subject.Roofline, plan, elements);
        return new QuickRow(
            subject.Profile.Name,
            elements,
            subject.Path.ToString(),
            subject.Profile.BytesPerElement,
            kernelGen.NanosecondsPerStep / elements,
            naive,
            tensorPrimitives,
            roofline,
            // Rounded up: an allocation anywhere in the timed steps must not read as zero.
            (long)Math.Ceiling(kernelGen.AllocatedBytesPerStep));
    }

    /// <summary>
    /// Steps every contender of every profile on a small tensor, twice, with a pause after each
    /// round: the runtime compiles hot methods again, optimized, on a background thread after a
    /// quiet moment, and the table should time that code, not the first compilation.
    /// </summary>
    public static void WarmUpCompilation(IEnumerable<BenchProfile> profiles, KernelPath path)
    {
        var subjects = new List<BenchSubject>();
        foreach (BenchProfile profile in profiles)
        {
            subjects.Add(BenchSubject.Create(profile, 4 << 10, path));
        }

        for (int round = 0; round < 2; round++)
        {
            foreach (BenchSubject subject in subjects)
            {
                foreach (StepRunner? runner in new[] { subject.KernelGen, subject.Naive, subject.TensorPrimitives, subject.Roofline })
                {
                    for (int i = 0; i < 64 && runner is not null; i++)
                    {
                        runner.Step();
                    }
                }
            }

            Thread.Sleep(250);
        }
    }

    private static double? PerElement(StepRunner? runner, TimingPlan plan, int elements) =>
        runner is null ? null : StepTimer.Measure(runner, plan).NanosecondsPerStep / elements;
}
