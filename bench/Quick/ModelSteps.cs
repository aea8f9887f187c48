using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using KernelGen.Schedulers;
using KernelGen.Training;

namespace KernelGen.Bench.Quick;

/// <summary>
/// Whole-model steps through the multi-tensor optimizer, where per-tensor overhead matters more
/// than bandwidth: a 64-64-10 MLP (4 tensors, 4,810 parameters) and a 100-tensor model of mixed
/// sizes (10 to 20,000 elements, 270,499 parameters), for AdamW and SGD with momentum, plain and
/// with global-norm clipping and a OneCycle schedule. Each is compared with the sum of its
/// tensors' single-tensor steps: the price of stepping them together should be small.
/// </summary>
public static class ModelSteps
{
    /// <summary>A model: its name and the lengths of its parameter tensors.</summary>
    public sealed record Model(string Name, int[] Lengths)
    {
        public int Parameters
        {
            get
            {
                int total = 0;
                foreach (int length in Lengths)
                {
                    total += length;
                }

                return total;
            }
        }
    }

    /// <summary>One measured configuration.</summary>
    public sealed record Row(string Name, Model Model, int BytesPerElement, double MicrosecondsPerStep, double SingleTensorMicroseconds, long AllocatedBytesPerStep, string Isa)
    {
        /// <summary>The step's time over the sum of the single-tensor steps.</summary>
        public double OverSingleTensors => MicrosecondsPerStep / SingleTensorMicroseconds;

        /// <summary>As a quick-table row (baselines do not apply): <c>AdamW/mlp-64-64-10</c>, elements = parameters.</summary>
        public QuickRow ToQuickRow() => new(Name, Model.Parameters, Isa, BytesPerElement,
            MicrosecondsPerStep * 1000 / Model.Parameters, null, null, null, AllocatedBytesPerStep);
    }

    /// <summary>The end of the name of a configuration that clips, steps and schedules, as a training loop does.</summary>
    public const string TrainingLoopSuffix = "+clip+onecycle";

    public static Model Mlp { get; } = new("mlp-64-64-10", new[] { 64 * 64, 64, 10 * 64, 10 });

    /// <summary>100 tensors, lengths spread geometrically from 10 to 20,000.</summary>
    public static Model Mixed100 { get; } = new("mixed-100", MixedLengths());

    /// <summary>The model named <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static Model? Find(string name) => Array.Find(new[] { Mlp, Mixed100 }, model => model.Name == name);

    /// <summary>Measures every configuration; about five seconds.</summary>
    public static List<Row> Measure(KernelPath path, TextWriter progress)
    {
        var rows = new List<Row>();
        foreach (Model model in new[] { Mlp, Mixed100 })
        {
            foreach (string optimizer in new[] { "AdamW", "SGD" })
            {
                foreach (bool trainingLoop in new[] { false, true })
                {
                    string name = $"{optimizer}/{model.Name}{(trainingLoop ? TrainingLoopSuffix : "")}";
                    progress.Write($"\rmeasuring {name} ...                ");
                    rows.Add(MeasureOne(name, optimizer, model, trainingLoop, path));
                }
            }
        }

        progress.Write("\r" + new string(' ', 64) + "\r");
        return rows;
    }

    /// <summary>Writes the rows as a table.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine($"{"whole-model step",-36} {"params",8} {"tensors",7} {"isa",-10} {"µs/step",9} {"Σ single µs",12} {"/Σ single",9} {"alloc B/step",12}");
        output.WriteLine(new string('-', 110));
        foreach (Row row in rows)
        {
            output.WriteLine($"{row.Name,-36} {row.Model.Parameters,8} {row.Model.Lengths.Length,7} {row.Isa,-10} {row.MicrosecondsPerStep,9:F2} {row.SingleTensorMicroseconds,12:F2} {row.OverSingleTensors,9:F2} {row.AllocatedBytesPerStep,12}");
        }
    }

    private static Row MeasureOne(string name, string optimizerName, Model model, bool trainingLoop, KernelPath path)
    {
        Optimizer optimizer = Create(optimizerName, path);
        var random = new Random(1);
        foreach (int length in model.Lengths)
        {
            optimizer.Add(Filled(length, random, 1f).Memory, Filled(length, random, 0.01f).Memory);
        }

        Action step;
        if (trainingLoop)
        {
            // A schedule long enough never to end while measured.
            var schedule = new OneCycleLR(optimizer, 0.01, totalSteps: int.MaxValue / 2);
            step = () =>
            {
                GradientClipping.ClipGradNorm(optimizer, 1f);
                optimizer.Step();
                schedule.Step();
            };
        }
        else
        {
            step = optimizer.Step;
        }

        double microseconds = Median(step);
        long allocated = Allocated(step);

        // The same tensors, each stepped alone by an optimizer of its own.
        double single = 0;
        random = new Random(1);
        foreach (int length in model.Lengths)
        {
            Optimizer alone = Create(optimizerName, path);
            alone.Add(Filled(length, random, 1f).Memory, Filled(length, random, 0.01f).Memory);
            single += Median(alone.Step);
        }

        int bytesPerElement = optimizerName == "SGD" ? 20 : 28;
        return new Row(name, model, bytesPerElement, microseconds, single, allocated,
            (path == KernelPath.Auto ? KernelDispatch.Best : path).ToString());
    }

    /// <summary>The configurations timed: SGD with momentum 0.9, or AdamW with torch's defaults, on <paramref name="path"/>.</summary>
    internal static Optimizer Create(string name, KernelPath path)
    {
        Optimizer optimizer = name == "SGD" ? new SGD { LearningRate = 0.01f, Momentum = 0.9f } : new AdamW();
        optimizer.Path = path;
        return optimizer;
    }

    /// <summary>The median of 15 samples, each long enough (about 2 ms) for the clock, after a warm-up.</summary>
    private static double Median(Action step)
    {
        for (int i = 0; i < 50; i++)
        {
            step();
        }

        long start = Stopwatch.GetTimestamp();
        int batch = 0;
        while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 2 && batch < 100_000)
        {
            step();
            batch++;
        }

        var samples = new double[15];
        for (int s = 0; s < samples.Length; s++)
        {
            long t = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
            {
                step();
            }

            samples[s] = Stopwatch.GetElapsedTime(t).TotalMicroseconds / batch;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    private static long Allocated(Action step)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            step();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }

    /// <summary>An aligned buffer of uniform values in [-scale, scale).</summary>
    internal static AlignedBuffer Filled(int length, Random random, float scale)
    {
        var buffer = new AlignedBuffer(length);
        Span<float> span = buffer.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }

        return buffer;
    }

    private static int[] MixedLengths()
    {
        var lengths = new int[100];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = (int)Math.Round(10 * Math.Pow(2000, i / 99.0));
        }

        return lengths;
    }
}
