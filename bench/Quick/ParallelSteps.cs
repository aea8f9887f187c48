using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Quick;

/// <summary>
/// The opt-in parallel step (<see cref="Optimizer.MaxDegreeOfParallelism"/>) next to the
/// single-threaded one, on one tensor from 32 Ki to 16 Mi elements (where the speed-up starts is
/// what <see cref="Optimizer.DefaultParallelThreshold"/> is chosen from), and on the 100-tensor
/// model of <see cref="ModelSteps"/>, whose tensors are all below the threshold. One optimizer on 64-byte
/// aligned buffers, stepped with <see cref="Optimizer.MaxDegreeOfParallelism"/> 1 and with every
/// core in turn, timed interleaved like the main table, in short samples of as many steps for both.
/// </summary>
public static class ParallelSteps
{
    /// <summary>The sizes measured: around the threshold, then the main table's large sizes.</summary>
    public static readonly int[] Sizes = { 32 << 10, 64 << 10, 128 << 10, 256 << 10, 1 << 20, 16 << 20 };

    /// <summary>The sizes measured with every core busy: just above the default threshold, where a late helper costs most, and in and past the caches.</summary>
    public static readonly int[] BusySizes = { 128 << 10, 256 << 10, 1 << 20, 16 << 20 };

    /// <summary>
    /// One measured size: the medians of each contender's samples, and <paramref name="Speedup"/>,
    /// the single-threaded step's time over the parallel one's as the median over the rounds of
    /// the two samples of each round (<see cref="StepTimer.MedianRatio"/>). <paramref name="Busy"/>:
    /// measured with a spinning process on every core.
    /// </summary>
    public sealed record Row(string Optimizer, int Elements, int Threads, int BytesPerElement, double SingleNsPerElement, double ParallelNsPerElement, double Speedup, long AllocatedBytesPerStep, string Isa, bool Busy = false)
    {
        /// <summary>As a quick-table row: <c>AdamW/2-threads</c> (<c>AdamW/2-threads/busy</c>), KernelGen's figure the parallel step's.</summary>
        public QuickRow ToQuickRow() => new($"{Optimizer}/{Threads}-threads{(Busy ? "/busy" : "")}", Elements, Isa, BytesPerElement,
            ParallelNsPerElement, null, null, null, AllocatedBytesPerStep);
    }

    /// <summary>Measures AdamW and SGD with momentum at every size with every core of the machine.</summary>
    public static List<Row> Measure(KernelPath path, TimingPlan plan, TextWriter progress) => Measure(Sizes, busy: false, path, plan, progress);

    /// <summary>
    /// Measures AdamW and SGD with momentum at <see cref="BusySizes"/> while a spinning process
    /// keeps every core busy: the parallel step must not be slower than one thread there.
    /// </summary>
    public static List<Row> MeasureBusy(KernelPath path, TimingPlan plan, TextWriter progress)
    {
        using var busy = new BusyCores(Environment.ProcessorCount);
        // Twice the samples: the other processes make every sample noisier.
        return Measure(BusySizes, busy: true, path, plan with { Budget = plan.Budget * 2, MaxSamples = plan.MaxSamples * 2 }, progress);
    }

    private static List<Row> Measure(int[] sizes, bool busy, KernelPath path, TimingPlan plan, TextWriter progress)
    {
        var rows = new List<Row>();
        int threads = Environment.ProcessorCount;
        string load = busy ? ", every core busy" : "";
        foreach (string name in new[] { "AdamW", "SGD" })
        {
            foreach (int size in sizes)
            {
                progress.Write($"\rmeasuring {name} on {threads} threads at {QuickTable.SizeText(size)}{load} ...        ");
                // One optimizer, one set of buffers: the two contenders differ only in the setting.
                Optimizer optimizer = Create(name, new[] { size }, path);
                optimizer.ParallelThreshold = 1; // measured at every size, so the table shows where the default threshold should be
                rows.Add(MeasureOne(name, optimizer, size, threads, path, plan) with { Busy = busy });
            }

            // A model of many tensors below the threshold, with the default threshold: runs of whole tensors go to the threads.
            progress.Write($"\rmeasuring {name}/{ModelSteps.Mixed100.Name} on {threads} threads{load} ...        ");
            rows.Add(MeasureOne($"{name}/{ModelSteps.Mixed100.Name}", Create(name, ModelSteps.Mixed100.Lengths, path), ModelSteps.Mixed100.Parameters, threads, path, plan) with { Busy = busy });
            GC.Collect(); // the 16 Mi buffers go before the next optimizer's
        }

        progress.Write("\r" + new string(' ', 80) + "\r");
        return rows;
    }

    private static Row MeasureOne(string name, Optimizer optimizer, int size, int threads, KernelPath path, TimingPlan plan)
    {
        // Both contenders take the same number of steps per sample, and a sample is short (an
        // eighth of the plan's, about 0.25 ms): on a loaded machine this process runs in time
        // slices of a few milliseconds between long waits, so a sample of 2 ms nearly always
        // includes a wait and its median measures the process's share of the core, not the step.
        // Short samples mostly fit in a slice; the plan's budget, not its sample count, sets the rounds.
        int batch = StepsPerSample(optimizer, plan.Sample / 8);
        plan = plan with { Sample = TimeSpan.Zero, MaxSamples = plan.MaxSamples * 8 };
        Measurement[] m = StepTimer.Measure(new[] { Contender("single", 1), Contender("parallel", threads) }, plan);
        optimizer.MaxDegreeOfParallelism = threads;
        long allocated = AllocatedOnAnyThread(optimizer);
        double elementsPerSample = (double)size * batch;
        // The speed-up from the rounds' pairs of samples, not from the two medians: at loads of 10
        // to 20 on two cores, one thread against one thread measured this way (a control with
        // equal contenders) read 0.89 to 1.05 by the medians and 0.96 to 1.03 by the pairs below
        // 16 Mi. A slower parallel step moves both the same.
        return new Row(name, size, threads, name.StartsWith("SGD", StringComparison.Ordinal) ? 20 : 28, m[0].NanosecondsPerStep / elementsPerSample,
            m[1].NanosecondsPerStep / elementsPerSample, StepTimer.MedianRatio(m[0], m[1]), allocated, (path == KernelPath.Auto ? KernelDispatch.Best : path).ToString());

        // A sample of batch steps with the given setting.
        StepRunner Contender(string contender, int degree) => new(contender, _ =>
        {
            optimizer.MaxDegreeOfParallelism = degree;
            for (int i = 0; i < batch; i++)
            {
                optimizer.Step();
            }
        });
    }

    /// <summary>Single-threaded steps that fill <paramref name="sample"/>, from the fastest of a few steps (a slow one was descheduled).</summary>
    private static int StepsPerSample(Optimizer optimizer, TimeSpan sample)
    {
        optimizer.MaxDegreeOfParallelism = 1;
        long fastest = long.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            optimizer.Step();
            fastest = Math.Min(fastest, Math.Max(1, Stopwatch.GetTimestamp() - start));
        }

        return (int)Math.Clamp((long)(sample.TotalSeconds * Stopwatch.Frequency) / fastest, 1, 1_000_000);
    }

    /// <summary>Writes the rows as a table.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine($"{"parallel step",-16} {"elements",8} {"threads",7} {"cores",5} {"isa",-10} {"1 thread",9} {"parallel",9} {"speed-up",8} {"alloc B/step",12}");
        output.WriteLine(new string('-', 92));
        foreach (Row row in rows)
        {
            output.WriteLine($"{row.Optimizer,-16} {QuickTable.SizeText(row.Elements),8} {row.Threads,7} {(row.Busy ? "busy" : "-"),5} {row.Isa,-10} {row.SingleNsPerElement,9:F3} {row.ParallelNsPerElement,9:F3} {row.Speedup,7:F2}x {row.AllocatedBytesPerStep,12}");
        }
    }

    /// <summary>Bytes allocated per step by every thread of the process (the helper threads that step chunks included).</summary>
    private static long AllocatedOnAnyThread(Optimizer optimizer)
    {
        const int steps = 20;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < steps; i++)
        {
            optimizer.Step();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / steps;
    }

    private static Optimizer Create(string name, int[] lengths, KernelPath path)
    {
        Optimizer optimizer = ModelSteps.Create(name, path);
        var random = new Random(lengths[0]);
        foreach (int length in lengths)
        {
            optimizer.Add(ModelSteps.Filled(length, random, 1f).Memory, ModelSteps.Filled(length, random, 0.01f).Memory);
        }

        return optimizer;
    }
}
