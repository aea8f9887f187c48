using System;
using System.Diagnostics;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Quick;

/// <summary>
/// Times a contender: warm-up, then the median of repeated samples, within this process. The
/// median, not the mean, so a sample that another process on this shared machine interrupted
/// does not move the figure.
/// </summary>
public static class StepTimer
{
    /// <summary>Measures <paramref name="runner"/> under <paramref name="plan"/>.</summary>
    public static Measurement Measure(StepRunner runner, TimingPlan plan)
    {
        // Warm-up: at least three steps and the warm-up time; the last step estimates the cost of one.
        long warmupEnd = Stopwatch.GetTimestamp() + ToTicks(plan.Warmup);
        long oneStep = long.MaxValue;
        for (int i = 0; i < 3 || Stopwatch.GetTimestamp() < warmupEnd; i++)
        {
            long start = Stopwatch.GetTimestamp();
            runner.Step();
            oneStep = Math.Max(1, Stopwatch.GetTimestamp() - start);
        }

        int batch = (int)Math.Clamp(ToTicks(plan.Sample) / oneStep, 1, 1_000_000);
        long sampleTicks = Math.Max(1, oneStep * batch);
        int samples = (int)Math.Clamp(ToTicks(plan.Budget) / sampleTicks, plan.MinSamples, plan.MaxSamples);

        var perStep = new double[samples];
        var allocatedPerStep = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
            {
                runner.Step();
            }

            perStep[s] = (Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency) / batch;
            allocatedPerStep[s] = (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / batch;
        }

        // The median here too: the runtime itself allocates on this thread now and then (starting
        // its background compiler thread), once, not per step; a step that allocates does so in every sample.
        return new Measurement(Median(perStep), Median(allocatedPerStep), samples, batch);
    }

    /// <summary>The median (the mean of the middle two for an even count). Sorts <paramref name="values"/>.</summary>
    public static double Median(double[] values)
    {
        Array.Sort(values);
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
