using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using KernelGen.Schedulers;
using KernelGen.Training;

namespace KernelGen.Samples.Digits;

/// <summary>Command-line settings.</summary>
/// <param name="StepInBackward">Step the output layer as soon as its gradients are complete, inside the backward pass (no clipping: it needs every gradient first).</param>
/// <param name="PlotPath">Where to draw every optimizer's loss and accuracy per epoch as a PNG, or null.</param>
/// <param name="States">How the optimizer stores its states (<c>--states fp32|bf16|fp16|8bit</c>).</param>
/// <param name="Parameters">How the parameters and gradients are stored (<c>--params fp32|bf16</c>).</param>
/// <param name="StochasticRounding">Whether 16-bit stores round stochastically (<c>--stochastic-rounding</c>).</param>
public sealed record Options(IReadOnlyList<string> Optimizers, int Epochs, int Batch, int Seed, bool StepInBackward = false, bool Clip = true, string? PlotPath = null,
    StateStorage States = StateStorage.Float32, StateStorage Parameters = StateStorage.Float32, bool StochasticRounding = false)
{
    /// <summary>Whether anything is stored in a smaller type than float32 (the demo then trains float32 too, to compare).</summary>
    public bool IsReducedStorage => States != StateStorage.Float32 || Parameters != StateStorage.Float32;

    /// <summary>The storage in words, as the comparison prints it.</summary>
    public string StorageText =>
        (Parameters == StateStorage.BFloat16 ? "bf16 parameters and gradients, " : "") +
        States switch { StateStorage.Int8Blockwise => "8-bit", StateStorage.BFloat16 => "bf16", StateStorage.Float16 => "fp16", _ => "float32" } + " states" +
        (StochasticRounding ? ", stochastic rounding" : "");


    public static Options? Parse(string[] args)
    {
        var optimizers = new List<string> { "AdamW" };
        int epochs = 30, batch = 32, seed = 1;
        bool stepInBackward = false, clip = true;
        string? plotPath = null;
        StateStorage states = StateStorage.Float32, parameters = StateStorage.Float32;
        bool stochasticRounding = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--optimizer" when value is not null:
                    optimizers = new List<string> { value };
                    i++;
                    break;
                case "--compare" when value is not null:
                    optimizers = new List<string>(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    i++;
                    break;
                case "--epochs" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int e) && e > 0:
                    epochs = e;
                    i++;
                    break;
                case "--batch" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b > 0:
                    batch = b;
                    i++;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int s):
                    seed = s;
                    i++;
                    break;
                case "--step-in-backward":
                    stepInBackward = true;
                    clip = false;
                    break;
                case "--plot" when value is not null:
                    plotPath = value;
                    i++;
                    break;
                case "--states" when value is "8bit" or "bf16" or "fp16" or "fp32":
                    states = value switch { "8bit" => StateStorage.Int8Blockwise, "bf16" => StateStorage.BFloat16, "fp16" => StateStorage.Float16, _ => StateStorage.Float32 };
                    i++;
                    break;
                case "--params" when value is "bf16" or "fp32":
                    parameters = value == "bf16" ? StateStorage.BFloat16 : StateStorage.Float32;
                    i++;
                    break;
                case "--stochastic-rounding":
                    stochasticRounding = true;
                    break;
                case "--no-clip":
                    clip = false;
                    break;
                default:
                    return null;
            }
        }

        // Combinations the demo does not train: 8-bit states step float32 parameters only; stepping
        // in the backward pass would need the output layer's gradients rounded before the rest;
        // stochastic rounding needs a 16-bit buffer to round into.
        bool sixteenBit = parameters == StateStorage.BFloat16 || states is StateStorage.BFloat16 or StateStorage.Float16;
        if ((parameters == StateStorage.BFloat16 && (states == StateStorage.Int8Blockwise || stepInBackward)) || (stochasticRounding && !sixteenBit))
        {
            return null;
        }

        return new Options(optimizers, epochs, batch, seed, stepInBackward, clip, plotPath, states, parameters, stochasticRounding);
    }
}

/// <summary>One optimizer's run.</summary>
/// <param name="ParameterHash">FNV-1a over the bits of the trained parameters: equal hashes, same model.</param>
/// <param name="Curve">The mean training loss and the test accuracy after every epoch.</param>
/// <param name="StateBytesPerParameter">The optimizer's per-element state bytes over the model's parameter count.</param>
public sealed record Result(string Optimizer, double MaxLearningRate, double TestAccuracy, double OptimizerShare, double OptimizerMicroseconds, long BytesPerStep, ulong ParameterHash, string Summary, IReadOnlyList<EpochResult> Curve, double StateBytesPerParameter, string? FirstAllocation);

/// <summary>Where training stood after one epoch: its mean training loss and the test accuracy.</summary>
public sealed record EpochResult(int Epoch, double Loss, double TestAccuracy);

/// <summary>The training loop: forward/backward, clip, step, schedule; timed and measured.</summary>
public static class Trainer
{
    /// <summary>Peak learning rates that suit this model and recipe, per optimizer; 0.01 otherwise.</summary>
    private static readonly Dictionary<string, double> MaxLearningRates = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = 0.1, ["Adagrad"] = 0.05, ["Adadelta"] = 1.0, ["RMSprop"] = 0.003, ["Rprop"] = 0.001, ["ASGD"] = 0.1,
    };

    /// <summary>The gradients' largest total norm (clipping).</summary>
    private const float MaxGradientNorm = 1f;

    /// <summary>Trains one optimizer with the recipe; null when no built-in has that name.</summary>
    public static Result? Run(string name, DigitsData data, Options options, bool verbose)
    {
        if (!BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer))
        {
            return null;
        }

        var model = new Mlp(options.Batch, options.Seed);
        optimizer.TrySetHyperparameter("Momentum", 0.9); // SGD-like optimizers get momentum; no-op for the others
        optimizer.StateStorage = options.States;
        ParameterTensor[] tensors = Register(optimizer, model, options);
        ParameterTensor w1 = tensors[0], b1 = tensors[1], w2 = tensors[2], b2 = tensors[3];

        // Stepping in the backward pass: the output layer steps while the hidden layer's gradient
        // is still to be computed; its time counts as the optimizer's.
        long inBackwardTicks = 0, inBackwardBytes = 0;
        Action stepOutputLayer = () =>
        {
            long start = Stopwatch.GetTimestamp();
            long startBytes = GC.GetAllocatedBytesForCurrentThread();
            optimizer.StepTensor(w2);
            optimizer.StepTensor(b2);
            inBackwardBytes += GC.GetAllocatedBytesForCurrentThread() - startBytes;
            inBackwardTicks += Stopwatch.GetTimestamp() - start;
        };

        int stepsPerEpoch = (data.TrainCount + options.Batch - 1) / options.Batch;
        double maxLr = MaxLearningRates.TryGetValue(name, out double lr) ? lr : 0.01;
        bool hasMomentum = optimizer.TryGetHyperparameter("Beta1", out _) || optimizer.TryGetHyperparameter("Momentum", out _);
        var schedule = new OneCycleLR(optimizer, maxLr, epochs: options.Epochs, stepsPerEpoch: stepsPerEpoch, cycleMomentum: hasMomentum);

        // At load: compile everything the training loop's optimizer work runs, so that the first
        // step is as fast as the thousandth (a game does this on its loading thread).
        long warmStart = Stopwatch.GetTimestamp();
        optimizer.Warm();
        GradientClipping.Warm();
        schedule.Warm();
        double warmMilliseconds = Stopwatch.GetElapsedTime(warmStart).TotalMilliseconds;

        var order = new int[data.TrainCount];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var batchX = new float[options.Batch * DigitsData.Features];
        var batchY = new int[options.Batch];
        var shuffle = new Random(options.Seed);
        long modelTicks = 0, optimizerTicks = 0, optimizerBytes = 0, measuredSteps = 0, everyStep = 0;
        string? firstAllocation = null;
        var stepTicks = new long[options.Epochs * stepsPerEpoch];
        var curve = new List<EpochResult>(options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            double loss = 0;
            for (int start = 0; start < order.Length; start += options.Batch)
            {
                int count = Math.Min(options.Batch, order.Length - start);
                for (int n = 0; n < count; n++)
                {
                    data.TrainX.AsSpan(order[start + n] * DigitsData.Features, DigitsData.Features).CopyTo(batchX.AsSpan(n * DigitsData.Features));
                    batchY[n] = data.TrainY[order[start + n]];
                }

                long t0 = Stopwatch.GetTimestamp();
                inBackwardTicks = 0;
                inBackwardBytes = 0;
                if (options.StepInBackward)
                {
                    long beginBytes = GC.GetAllocatedBytesForCurrentThread();
                    optimizer.BeginStep();
                    inBackwardBytes += GC.GetAllocatedBytesForCurrentThread() - beginBytes;
                    loss += model.ForwardBackward(batchX, batchY, count, stepOutputLayer);
                }
                else
                {
                    loss += model.ForwardBackward(batchX, batchY, count);
                }

                long t1 = Stopwatch.GetTimestamp();

                // The optimizer's bytes only (those inside the backward pass counted around its own
                // calls): the model's forward and backward are not its to count (a tier-up of the
                // model's loops in a later epoch may allocate on this thread).
                long bytes = GC.GetAllocatedBytesForCurrentThread() - inBackwardBytes;

                if (options.Clip && options.Parameters == StateStorage.Float32)
                {
                    // (bfloat16 gradients are clipped by the model in float32, before rounding.)
                    GradientClipping.ClipGradNorm(optimizer, maxNorm: MaxGradientNorm);
                }

                long afterClip = GC.GetAllocatedBytesForCurrentThread();

                if (options.StepInBackward)
                {
                    optimizer.StepTensor(w1);
                    optimizer.StepTensor(b1);
                    optimizer.EndStep();
                }
                else
                {
                    optimizer.Step();
                }

                long afterStep = GC.GetAllocatedBytesForCurrentThread();
                schedule.Step();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
                long t2 = Stopwatch.GetTimestamp();
                // The optimizer's time counts every step, the first included: the warm-up compiled its
                // work. The share and the bytes leave out the first epoch, whose forward and backward
                // pay for their own JIT compilation.
                stepTicks[everyStep++] = t2 - t1 + inBackwardTicks;
                if (epoch > 1)
                {
                    modelTicks += t1 - t0 - inBackwardTicks;
                    optimizerTicks += t2 - t1 + inBackwardTicks;
                    optimizerBytes += allocated;
                    measuredSteps++;
                    if (allocated != 0 && firstAllocation == null)
                    {
                        // Which part allocated, so that a failing check says where to look.
                        firstAllocation = $"epoch {epoch}, step {everyStep}: {allocated} bytes (in backward {inBackwardBytes}, clip {afterClip - bytes - inBackwardBytes}, step {afterStep - afterClip}, schedule {allocated - (afterStep - bytes)})";
                    }
                }
            }

            curve.Add(new EpochResult(epoch, loss / stepsPerEpoch, model.Accuracy(data.TestX, data.TestY)));
            if (verbose)
            {
                double share = optimizerTicks / (double)Math.Max(1, modelTicks + optimizerTicks);
                Console.WriteLine(
                    $"epoch {epoch,3}/{options.Epochs}  loss {curve[^1].Loss:F4}  test {curve[^1].TestAccuracy,6:P1}  " +
                    $"lr {schedule.LastLearningRates[0]:G3}  optimizer share {share:P0}  bytes/step {(measuredSteps == 0 ? 0 : optimizerBytes / measuredSteps)}");
            }
        }

        double testAccuracy = model.Accuracy(data.TestX, data.TestY);
        double optimizerShare = optimizerTicks / (double)(modelTicks + optimizerTicks);
        // The median step, as quick reports the median of its samples: a step that another process
        // preempted (common on a shared machine) does not move it, as it would move a mean.
        Array.Sort(stepTicks);
        double microseconds = stepTicks[stepTicks.Length / 2] * 1e6 / Stopwatch.Frequency;
        long bytesPerStep = optimizerBytes / measuredSteps;
        bool clipped = options.Clip && options.Parameters == StateStorage.Float32; // bfloat16 gradients are clipped by the model
        string what = options.StepInBackward ? "steps in backward + schedule" : clipped ? "clip + step + schedule" : "step + schedule";
        string summary = $"{name}: test accuracy {testAccuracy:P1}; optimizer step ({what}) {microseconds:F2} µs, {optimizerShare:P0} of step time; {bytesPerStep} bytes allocated per optimizer step; warm-up {warmMilliseconds:F1} ms";
        double stateBytes = 0, parameters = 0;
        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            stateBytes += tensor.StateBytes;
            parameters += tensor.Length;
        }

        return new Result(name, maxLr, testAccuracy, optimizerShare, microseconds, bytesPerStep, Hash(model), summary, curve, stateBytes / parameters, firstAllocation);
    }

    /// <summary>
    /// Registers the model's tensors (W1, B1, W2, B2) with the optimizer: its float32 arrays, or
    /// under <c>--params bf16</c> bfloat16 copies the model widens and rounds into; each tensor
    /// rounds its 16-bit stores stochastically when asked, keyed by the run's seed.
    /// </summary>
    private static ParameterTensor[] Register(Optimizer optimizer, Mlp model, Options options)
    {
        ParameterTensor[] tensors;
        if (options.Parameters == StateStorage.BFloat16)
        {
            var stored = new BFloat16Parameters(model, options.Clip ? MaxGradientNorm : float.PositiveInfinity);
            model.BeforeForward = stored.LoadParameters;
            model.AfterBackward = stored.StoreGradients;
            tensors = stored.AddTo(optimizer);
        }
        else
        {
            tensors = new[] { optimizer.Add(model.W1, model.GradW1), optimizer.Add(model.B1, model.GradB1), optimizer.Add(model.W2, model.GradW2), optimizer.Add(model.B2, model.GradB2) };
        }

        optimizer.StochasticRoundingSeed = unchecked((ulong)options.Seed);
        foreach (ParameterTensor tensor in tensors)
        {
            tensor.StochasticRounding = options.StochasticRounding;
        }

        return tensors;
    }

    private static ulong Hash(Mlp model)
    {
        ulong hash = 14695981039346656037;
        foreach (float[] values in new[] { model.W1, model.B1, model.W2, model.B2 })
        {
            foreach (float value in values)
            {
                hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(value)) * 1099511628211;
            }
        }

        return hash;
    }
}
