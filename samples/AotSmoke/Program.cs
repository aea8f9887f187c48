using System;
using System.IO;
using KernelGen;

// A NativeAOT / trimming smoke test: steps optimizers on the public API, saves a checkpoint
// halfway, resumes in new optimizers, and checks the resumed run is the uninterrupted one bit
// for bit, and that a parallel run (MaxDegreeOfParallelism, helper threads) gives the same bits.
// Prints the path and the hashes; exits 1 on any difference. Published with trimming (and
// with -p:NativeSmoke=true as a native executable) it shows the library works without the JIT's
// reflection and without the code the trimmer removes.
const int Length = 40_000, Steps = 20, SavedAt = 8; // 40,000: long enough to be cut into chunks

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
