using System;
using System.Collections.Generic;
using System.IO;
using KernelGen;
using KernelGen.Samples.Digits;

// Trains a 64-64-10 MLP on the UCI handwritten digits with a KernelGen optimizer, OneCycleLR and
// gradient clipping, and reports accuracy, the optimizer's share of step time and the bytes it
// allocates per step. `--optimizer NAME` picks any built-in; `--compare A,B,...` runs several;
// `--plot PNG` draws each one's loss and test accuracy per epoch. `--step-in-backward` steps the
// output layer inside the backward pass (BeginStep, StepTensor, EndStep) and trains the same model
// again with Step() after the backward pass, to compare. `--states 8bit` keeps the optimizer's
// states as 8-bit block-quantized codes (tensors of 4,096 elements and more: the hidden layer's
// weights) and trains again with float32 states, to compare; `--states bf16|fp16` keeps them in 16
// bits, `--params bf16` the parameters and gradients (the model computes on float32 copies), and
// `--stochastic-rounding` rounds the 16-bit stores stochastically.
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project samples/Digits [-- --optimizer AdamW] [--epochs 30] [--compare AdamW,Adam,SGD,...] [--plot curves.png] [--step-in-backward] [--no-clip] [--states 8bit|bf16|fp16] [--params bf16] [--stochastic-rounding]");
    return 2;
}

DigitsData data = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz"));
Console.WriteLine($"digits: {data.TrainCount} training and {data.TestCount} test images; MLP 64-64-10; {options.Epochs} epochs of batch {options.Batch}; {KernelDispatch.Best} kernels");

if (options.StepInBackward)
{
    Console.WriteLine("stepping in the backward pass: no gradient clipping (it needs every gradient before the first step)");
}

var results = new List<Result>();
foreach (string name in options.Optimizers)
{
    Result? result = Trainer.Run(name, data, options, verbose: options.Optimizers.Count == 1);
    if (result is null)
    {
        Console.Error.WriteLine($"unknown optimizer '{name}'; built in: {string.Join(", ", BuiltInOptimizers.Names)}");
        return 2;
    }

    results.Add(result);
    if (options.IsReducedStorage)
    {
        Result full = Trainer.Run(name, data, options with { States = StateStorage.Float32, Parameters = StateStorage.Float32, StochasticRounding = false }, verbose: false)!;
        Console.WriteLine(
            $"{name}: float32: test accuracy {full.TestAccuracy:P1}, {full.StateBytesPerParameter:F2} state bytes per parameter; " +
            $"{options.StorageText}: test accuracy {result.TestAccuracy:P1}, {result.StateBytesPerParameter:F2} state bytes per parameter");
    }

    if (options.StepInBackward)
    {
        Result after = Trainer.Run(name, data, options with { StepInBackward = false }, verbose: false)!;
        Console.WriteLine(
            $"{name}: step after backward: test accuracy {after.TestAccuracy:P1}; step in backward: test accuracy {result.TestAccuracy:P1}; " +
            $"same parameters bit for bit: {(after.ParameterHash == result.ParameterHash ? "yes" : "no")}");
    }
}

Console.WriteLine();
Console.WriteLine($"{"optimizer",-10} {"max lr",8} {"test acc",9} {"opt share",10} {"opt µs/step",12} {"bytes/step",11}");
foreach (Result r in results)
{
    Console.WriteLine($"{r.Optimizer,-10} {r.MaxLearningRate,8:G3} {r.TestAccuracy,8:P1} {r.OptimizerShare,10:P0} {r.OptimizerMicroseconds,12:F2} {r.BytesPerStep,11}");
}

Console.WriteLine("(For comparison, PyTorch 1.13.1 spent 26% of its step time in the optimizer for the AdamW recipe, measured once on a 2-core Zen 5.)");

if (options.PlotPath is not null)
{
    CurvePlot.Save(results, options.PlotPath);
    Console.WriteLine($"loss and accuracy per epoch drawn to {options.PlotPath}");
}

// The run ends with each optimizer's summary: accuracy, the optimizer step's time, its allocations.
foreach (Result r in results)
{
    Console.WriteLine(r.Summary);
}

return 0;
