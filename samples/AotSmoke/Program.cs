using System;
using System.Diagnostics;
using System.IO;
using KernelGen;
using KernelGen.Schedulers;
using KernelGen.Training;

// A NativeAOT / trimming smoke test: steps optimizers on the public API, saves a checkpoint
// halfway, resumes in new optimizers, and checks the resumed run is the uninterrupted one bit
// for bit, and that a parallel run (MaxDegreeOfParallelism, helper threads) gives the same bits.
// Prints the path and the hashes; exits 1 on any difference. Published with trimming (and
// with -p:NativeSmoke=true as a native executable) it shows the library works without the JIT's
// reflection and without the code the trimmer removes.
// `--first-steps` times the first optimizer steps of the digits MLP's AdamW recipe (clip + step +
// schedule) instead: with NativeAOT there is no JIT, so the first step is already a steady one.
const int Length = 40_000, Steps = 20, SavedAt = 8; // 40,000: long enough to be cut into chunks

if (args is ["--first-steps"])
{
    return FirstSteps();
}

if (args is ["--time"])
{
    Time();
    return 0;
}

uint uninterrupted = Run(save: false, parallel: false);
uint resumed = Run(save: true, parallel: false);
uint parallel = Run(save: false, parallel: true);
Console.WriteLine($"path {KernelDispatch.Best}, hash {uninterrupted:x8}, resumed {resumed:x8}, parallel {parallel:x8}");
if (uninterrupted != resumed)
{
    Console.WriteLine("FAIL: the resumed run differs from the uninterrupted one");
    return 1;
}

if (uninterrupted != parallel)
{
    Console.WriteLine("FAIL: the parallel run differs from the single-threaded one");
    return 1;
}

Console.WriteLine("AotSmoke OK");
return 0;

static uint Run(bool save, bool parallel)
{
    var groups = Create(out float[][] parameters, out float[][] gradients);
    if (parallel)
    {
        foreach (Optimizer optimizer in groups.Groups)
        {
            optimizer.MaxDegreeOfParallelism = Environment.ProcessorCount;
            optimizer.ParallelThreshold = 1;
        }
    }

    var stream = new MemoryStream();
    var options = new CheckpointOptions { IncludeParameters = true };
    for (int step = 1; step <= Steps; step++)
    {
        for (int t = 0; t < gradients.Length; t++)
        {
            for (int i = 0; i < Length; i++)
            {
                gradients[t][i] = 0.5f * parameters[t][i] + MathF.Sin(i * 0.37f + step + t);
            }
        }

        groups.Step();
        if (save && step == SavedAt)
        {
            Checkpoint.Save(groups, stream, options);
            stream.Position = 0;
            groups = Create(out parameters, out gradients);
            Checkpoint.Load(groups, stream, options);
        }
    }

    uint hash = 2166136261;
    foreach (float[] tensor in parameters)
    {
        foreach (float x in tensor)
        {
            hash = (hash ^ BitConverter.SingleToUInt32Bits(x)) * 16777619;
        }
    }

    return hash;
}

static ParameterGroups Create(out float[][] parameters, out float[][] gradients)
{
    parameters = new float[3][];
    gradients = new float[3][];
    Optimizer[] optimizers =
    {
        new SGD { LearningRate = 0.05f, Momentum = 0.9f },
        new Adam { LearningRate = 0.01f, Amsgrad = true },
        new AdamW { LearningRate = 0.01f },
    };
    for (int t = 0; t < 3; t++)
    {
        parameters[t] = new float[Length];
        gradients[t] = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            parameters[t][i] = MathF.Cos(i + t);
        }

        optimizers[t].Add(parameters[t], gradients[t]);
    }

    return new ParameterGroups(optimizers);
}

// The digits MLP (64-64-10: 4,810 parameters) with AdamW, clipping and OneCycleLR: the time of the
// warm-ups, of the first step and the mean of steps 1 to 1,000, then of the 1,000 after those.
static int FirstSteps()
{
    var optimizer = new AdamW();
    foreach (int length in new[] { 64 * 64, 64, 10 * 64, 10 })
    {
        var parameter = new float[length];
        var gradient = new float[length];
        for (int i = 0; i < length; i++)
        {
            parameter[i] = MathF.Cos(i);
            gradient[i] = 0.01f * MathF.Sin(i);
        }

        optimizer.Add(parameter, gradient);
    }

    var schedule = new OneCycleLR(optimizer, 0.01, totalSteps: int.MaxValue / 2);
    long start = Stopwatch.GetTimestamp();
    optimizer.Warm();
    GradientClipping.Warm();
    schedule.Warm();
    double warm = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    double first = 0, firstThousand = 0, nextThousand = 0;
    for (int s = 0; s < 2000; s++)
    {
        long t = Stopwatch.GetTimestamp();
        GradientClipping.ClipGradNorm(optimizer, 1f);
        optimizer.Step();
        schedule.Step();
        double microseconds = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        first = s == 0 ? microseconds : first;
        if (s < 1000)
        {
            firstThousand += microseconds;
        }
        else
        {
            nextThousand += microseconds;
        }
    }

    Console.WriteLine($"path {KernelDispatch.Best}: warm-up {warm:F0} µs, first step {first:F1} µs, mean of steps 1-1000 {firstThousand / 1000:F2} µs, of steps 1001-2000 {nextThousand / 1000:F2} µs");
    return 0;
}

// --time: ns per element of an AdamW step over 1M floats on each path this binary accelerates
// (a NativeAOT binary's paths are fixed when it is compiled: see docs/packaging.md). Best of five
// batches, so a busy machine disturbs the figure less.
static void Time()
{
    const int Elements = 1 << 20, Batches = 5, StepsPerBatch = 10;
    var parameters = new float[Elements];
    var gradients = new float[Elements];
    gradients.AsSpan().Fill(0.001f);
    Console.WriteLine($"best path {KernelDispatch.Best}");
    foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
    {
        if (!KernelDispatch.IsSupported(path))
        {
            Console.WriteLine($"{path}: not accelerated in this process");
            continue;
        }

        var optimizer = new AdamW { Path = path };
        optimizer.Add(parameters, gradients);
        optimizer.Step();
        double best = double.MaxValue;
        for (int batch = 0; batch < Batches; batch++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int step = 0; step < StepsPerBatch; step++)
            {
                optimizer.Step();
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / StepsPerBatch / Elements);
        }

        Console.WriteLine($"{path}: {best:F3} ns/element");
    }
}
