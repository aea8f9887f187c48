using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using KernelGen;
using KernelGen.Distributed;
using KernelGen.Samples.Digits;
using KernelGen.Samples.Distributed;
using KernelGen.Schedulers;

// Data-parallel training of the digits MLP with the optimizer state sharded across MPI ranks,
// and the single-process run it must equal bit for bit. Commands (eng/check-distributed.sh runs them all):
//   reference --out DIR [--save-at K] [--resume W]  one process, every micro-batch: DIR/reference.params
//                                               (--resume W: from the merged checkpoint of W ranks)
//   train --out DIR [--save-at K] [--resume W]  under mpiexec: each rank its micro-batches; DIR/ranks-N.params
//   merge --out DIR --world W --save-at K       shard checkpoints of W ranks into one single-process file
// Common: --epochs 30 --batch 32 --seed 1 --micro-batches 4 (a multiple of every world size used),
// --states f32|bf16|f16|8bit (AdamW's state storage; 8bit: 256-element blocks, tensors from 4,096 elements).
string[] arguments = args;
if (arguments.Length == 0 || !Settings.TryParse(arguments[1..], out Settings settings))
{
    Console.Error.WriteLine("usage: Distributed reference|train|merge --out DIR [--epochs 30] [--batch 32] [--seed 1] [--micro-batches 4] [--states f32|bf16|f16|8bit] [--save-at K] [--resume W] [--world W]");
    return 2;
}

DigitsData data = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz"));
Recipe recipe = settings.Recipe;
Directory.CreateDirectory(settings.Out);
switch (arguments[0])
{
    case "reference":
        return Reference(recipe, data, settings);
    case "train":
        using (var communicator = new MpiCommunicator(ref arguments))
        {
            return Train(recipe, data, settings, communicator);
        }

    case "merge":
        var lengths = Recipe.TensorLengths(new Mlp(recipe.Batch, recipe.Seed));
        ShardedOptimizer.MergeShards(recipe.CreateOptimizer, lengths, settings.ShardFiles(settings.World), settings.MergedFile(settings.World), o => Recipe.CheckpointOptions(recipe.Schedule(o, data)));
        Console.WriteLine($"merged {settings.World} shards at step {settings.SaveAt} into {Path.GetFileName(settings.MergedFile(settings.World))}");
        return 0;
    default:
        Console.Error.WriteLine($"unknown command '{arguments[0]}'");
        return 2;
}

static int Reference(Recipe recipe, DigitsData data, Settings settings)
{
    var model = new Mlp(recipe.Batch, recipe.Seed);
    Optimizer optimizer = recipe.CreateOptimizer();
    _ = optimizer.Rule; // read once per type: not state
    long before = GC.GetAllocatedBytesForCurrentThread();
    Memory<float>[] parameters = Recipe.Parameters(model), gradients = Recipe.Gradients(model);
    for (int t = 0; t < parameters.Length; t++)
    {
        optimizer.Add(parameters[t], gradients[t]);
    }

    long stateBytes = GC.GetAllocatedBytesForCurrentThread() - before;
    OneCycleLR schedule = recipe.Schedule(optimizer, data);
    int firstStep = 0;
    if (settings.Resume > 0)
    {
        // The merged file is an ordinary checkpoint: the ordinary optimizer loads it.
        Checkpoint.LoadFile(optimizer, settings.MergedFile(settings.Resume), Recipe.CheckpointOptions(schedule));
        firstStep = settings.SaveAt;
    }

    recipe.Train(model, data, new OneProcessStep(optimizer, model, recipe.MicroBatches), schedule, firstStep, afterStep: step =>
    {
        if (step == settings.SaveAt && settings.Resume == 0)
        {
            Checkpoint.SaveFile(optimizer, settings.ReferenceCheckpoint, Recipe.CheckpointOptions(schedule));
        }
    });

    Settings.WriteParameters(model, settings.ReferenceParameters);
    string from = settings.Resume > 0 ? $", resumed at step {settings.SaveAt} from the merged checkpoint of {settings.Resume} ranks" : "";
    Console.WriteLine($"one process, {Settings.StatesName(recipe.States)} states, {recipe.MicroBatches} micro-batches per batch summed in order{from}: test accuracy {model.Accuracy(data.TestX, data.TestY):P1}; optimizer state {stateBytes} bytes allocated ({Recipe.StateBufferBytes(optimizer)} in state buffers)");
    if (settings.Resume > 0 || recipe.States != StateStorage.Float32)
    {
        return 0;
    }

    Result plain = Trainer.Run("AdamW", data, new Options(new[] { "AdamW" }, recipe.Epochs, recipe.Batch, recipe.Seed), verbose: false)!;
    Console.WriteLine($"the samples/Digits recipe (one gradient per batch): test accuracy {plain.TestAccuracy:P1}");
    return 0;
}

static int Train(Recipe recipe, DigitsData data, Settings settings, MpiCommunicator communicator)
{
    var model = new Mlp(recipe.Batch, recipe.Seed);
    var sharded = new ShardedOptimizer(recipe.CreateOptimizer, communicator, Recipe.Parameters(model), Recipe.Gradients(model), recipe.MicroBatches);
    OneCycleLR schedule = recipe.Schedule(sharded.Inner, data);
    int firstStep = 0;
    if (settings.Resume > 0)
    {
        sharded.LoadShards(settings.ShardFiles(settings.Resume), Recipe.CheckpointOptions(schedule));
        firstStep = settings.SaveAt;
    }

    recipe.Train(model, data, new ShardedStep(sharded), schedule, firstStep, afterStep: step =>
    {
        if (step == settings.SaveAt && settings.Resume == 0)
        {
            sharded.SaveShard(settings.ShardFiles(communicator.WorldSize)[communicator.Rank], Recipe.CheckpointOptions(schedule));
        }
    });

    long[] stateBytes = communicator.AllGather(sharded.StateBytes);
    long[] bufferBytes = communicator.AllGather(Recipe.StateBufferBytes(sharded.Inner));
    if (communicator.Rank == 0)
    {
        string from = settings.Resume > 0 ? $", resumed at step {settings.SaveAt} from {settings.Resume} rank(s)' shards" : "";
        Settings.WriteParameters(model, settings.RanksParameters(communicator.WorldSize));
        Console.WriteLine($"{communicator.WorldSize} rank(s), {Settings.StatesName(recipe.States)} states{from}: test accuracy {model.Accuracy(data.TestX, data.TestY):P1}; optimizer state per rank {string.Join(", ", stateBytes)} bytes allocated ({string.Join(", ", bufferBytes)} in state buffers); exchange buffers per rank {sharded.CommunicationBytes} bytes");
    }

    return 0;
}

/// <summary>The command line, and the files the commands share.</summary>
internal readonly record struct Settings(string Out, Recipe Recipe, int SaveAt, int Resume, int World)
{
    public string ReferenceParameters => Path.Combine(Out, $"reference{Resumed}.params");

    public string ReferenceCheckpoint => Path.Combine(Out, $"reference-at-{SaveAt}.safetensors");

    public string RanksParameters(int world) => Path.Combine(Out, $"ranks-{world}{Resumed}.params");

    private string Resumed => Resume > 0 ? $"-resumed-from-{Resume}" : "";

    public string MergedFile(int world) => Path.Combine(Out, $"merged-{world}-at-{SaveAt}.safetensors");

    public IReadOnlyList<string> ShardFiles(int world)
    {
        var files = new string[world];
        for (int r = 0; r < world; r++)
        {
            files[r] = Path.Combine(Out, $"shard-{r}-of-{world}-at-{SaveAt}.safetensors");
        }

        return files;
    }

    /// <summary>The names --states takes, indexed by <see cref="StateStorage"/>.</summary>
    private static readonly string[] StatesNames = { "f32", "bf16", "f16", "8bit" };

    public static string StatesName(StateStorage states) => StatesNames[(int)states];

    /// <summary>The parameters' bits, little-endian, tensor after tensor: equal files, equal models.</summary>
    public static void WriteParameters(Mlp model, string path)
    {
        using var file = new BinaryWriter(File.Create(path));
        foreach (Memory<float> tensor in Recipe.Parameters(model))
        {
            foreach (float value in tensor.Span)
            {
                file.Write(value);
            }
        }
    }

    public static bool TryParse(string[] args, out Settings settings)
    {
        settings = default;
        string? output = null;
        int epochs = 30, batch = 32, seed = 1, microBatches = 4, saveAt = 0, resume = 0, world = 0;
        StateStorage states = StateStorage.Float32;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--out")
            {
                output = args[i + 1];
                continue;
            }

            if (args[i] == "--states")
            {
                int known = Array.IndexOf(StatesNames, args[i + 1]);
                if (known < 0)
                {
                    return false;
                }

                states = (StateStorage)known;
                continue;
            }

            if (!int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                return false;
            }

            switch (args[i])
            {
                case "--epochs": epochs = value; break;
                case "--batch": batch = value; break;
                case "--seed": seed = value; break;
                case "--micro-batches": microBatches = value; break;
                case "--save-at": saveAt = value; break;
                case "--resume": resume = value; break;
                case "--world": world = value; break;
                default: return false;
            }
        }

        bool complete = args.Length % 2 == 0 && output is not null && epochs > 0 && batch > 0 && microBatches > 0 && (resume == 0 || saveAt > 0);
        settings = new Settings(output ?? "", new Recipe(epochs, batch, seed, microBatches, states), saveAt, resume, world);
        return complete;
    }
}
