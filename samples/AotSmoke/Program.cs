using System;
using System.IO;
using KernelGen;

// A NativeAOT / trimming smoke test: steps optimizers on the public API, saves a checkpoint
// halfway, resumes in new optimizers, and checks the resumed run is the uninterrupted one bit
// for bit. Prints the path and a hash; exits 1 on any difference. Published with trimming (and
// with -p:NativeSmoke=true as a native executable) it shows the library works without the JIT's
// reflection and without the code the trimmer removes.
const int Length = 1000, Steps = 20, SavedAt = 8;

uint uninterrupted = Run(save: false);
uint resumed = Run(save: true);
Console.WriteLine($"path {KernelDispatch.Best}, hash {uninterrupted:x8}, resumed {resumed:x8}");
if (uninterrupted != resumed)
{
    Console.WriteLine("FAIL: the resumed run differs from the uninterrupted one");
    return 1;
}

Console.WriteLine("AotSmoke OK");
return 0;

static uint Run(bool save)
{
    var groups = Create(out float[][] parameters, out float[][] gradients);
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
