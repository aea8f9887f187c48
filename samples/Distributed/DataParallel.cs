using System;
using KernelGen.Distributed;
using KernelGen.Samples.Digits;
using KernelGen.Schedulers;
using KernelGen.Training;

namespace KernelGen.Samples.Distributed;

/// <summary>
/// The digits recipe of samples/Digits (AdamW, OneCycleLR, clipping at norm 1), with every batch
/// cut into <see cref="MicroBatches"/> equal micro-batches whose gradients are averaged in
/// micro-batch order. The order fixes the bits: any number of ranks that computes the same
/// micro-batches trains the same model, bit for bit. AdamW keeps its states as <see cref="States"/>
/// says (float32, bfloat16, half, or 8-bit blocks).
/// </summary>
public sealed record Recipe(int Epochs, int Batch, int Seed, int MicroBatches, StateStorage States = StateStorage.Float32)
{
    public const double MaxLearningRate = 0.01;
    public const float MaxNorm = 1f;

    public Optimizer CreateOptimizer() => new AdamW { StateStorage = States };

    public int StepsPerEpoch(DigitsData data) => (data.TrainCount + Batch - 1) / Batch;

    public OneCycleLR Schedule(Optimizer optimizer, DigitsData data) =>
        new(optimizer, MaxLearningRate, epochs: Epochs, stepsPerEpoch: StepsPerEpoch(data), cycleMomentum: true);

    /// <summary>Checkpoints hold the parameters and the schedule with the optimizer state.</summary>
    public static CheckpointOptions CheckpointOptions(LRScheduler schedule)
    {
        var options = new CheckpointOptions { IncludeParameters = true };
        options.Participants["schedule"] = schedule;
        return options;
    }

    public static Memory<float>[] Parameters(Mlp model) => new Memory<float>[] { model.W1, model.B1, model.W2, model.B2 };

    public static Memory<float>[] Gradients(Mlp model) => new Memory<float>[] { model.GradW1, model.GradB1, model.GradW2, model.GradB2 };

    /// <summary>The bytes of the optimizer's per-element state buffers in their storage type (8-bit codes with their scales), for comparison with the measured allocation.</summary>
    public static long StateBufferBytes(Optimizer optimizer)
    {
        long bytes = 0;
        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            bytes += tensor.StateBytes;
        }

        return bytes;
    }

    public static int[] TensorLengths(Mlp model) => Array.ConvertAll(Parameters(model), p => p.Length);

    /// <summary>
    /// Trains from step <paramref name="firstStep"/> (earlier steps only replay the shuffles),
    /// computing this process's micro-batches and handing each step to <paramref name="step"/>.
    /// </summary>
    public void Train(Mlp model, DigitsData data, IGradientStep step, LRScheduler schedule, int firstStep, Action<int>? afterStep = null)
    {
        var order = new int[data.TrainCount];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var rowsX = new float[Batch * DigitsData.Features];
        var rowsY = new int[Batch];
        var shuffle = new Random(Seed);
        int done = 0;
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            for (int start = 0; start < order.Length; start += Batch, done++)
            {
                if (done < firstStep)
                {
                    continue;
                }

                int count = Math.Min(Batch, order.Length - start);
                for (int m = step.FirstMicroBatch; m < step.FirstMicroBatch + step.MicroBatchCount; m++)
                {
                    int from = start + count * m / MicroBatches, rows = start + count * (m + 1) / MicroBatches - from;
                    for (int n = 0; n < rows; n++)
                    {
                        data.TrainX.AsSpan(order[from + n] * DigitsData.Features, DigitsData.Features).CopyTo(rowsX.AsSpan(n * DigitsData.Features));
                        rowsY[n] = data.TrainY[order[from + n]];
                    }

                    // Mean loss over the micro-batch's rows; no rows leaves the gradients zero.
                    model.ForwardBackward(rowsX, rowsY, rows);
                    step.MicroBatchDone(m);
                }

                step.Step();
                schedule.Step();
                afterStep?.Invoke(done + 1);
            }
        }
    }
}

/// <summary>What a training step does with the micro-batch gradients the model computed.</summary>
public interface IGradientStep
{
    /// <summary>The first micro-batch this process computes.</summary>
    int FirstMicroBatch { get; }

    /// <summary>How many consecutive micro-batches this process computes.</summary>
    int MicroBatchCount { get; }

    /// <summary>The model's gradient buffers hold micro-batch <paramref name="microBatch"/>'s gradient.</summary>
    void MicroBatchDone(int microBatch);

    /// <summary>Combines the micro-batches, clips and steps.</summary>
    void Step();
}

/// <summary>One process computes every micro-batch and averages them with <see cref="OrderedSum"/>: the reference.</summary>
public sealed class OneProcessStep : IGradientStep
{
    private readonly Optimizer _optimizer;
    private readonly Memory<float>[] _gradients;
    private readonly int _microBatches;
    private readonly float[] _blocks;
    private readonly float[] _flat;

    public OneProcessStep(Optimizer optimizer, Mlp model, int microBatches)
    {
        _optimizer = optimizer;
        _gradients = Recipe.Gradients(model);
        _microBatches = microBatches;
        _flat = new float[model.ParameterCount];
        _blocks = new float[microBatches * model.ParameterCount];
    }

    public int FirstMicroBatch => 0;

    public int MicroBatchCount => _microBatches;

    public void MicroBatchDone(int microBatch)
    {
        int at = microBatch * _flat.Length;
        foreach (Memory<float> gradient in _gradients)
        {
            gradient.Span.CopyTo(_blocks.AsSpan(at));
            at += gradient.Length;
        }
    }

    public void Step()
    {
        OrderedSum.Sum(_blocks, _microBatches, _flat, GradientReduction.Mean);
        int at = 0;
        foreach (Memory<float> gradient in _gradients)
        {
            _flat.AsSpan(at, gradient.Length).CopyTo(gradient.Span);
            at += gradient.Length;
        }

        GradientClipping.ClipGradNorm(_optimizer, Recipe.MaxNorm);
        _optimizer.Step();
    }
}

/// <summary>One rank computes its share of the micro-batches; the sharded optimizer reduces, and steps its shard.</summary>
public sealed class ShardedStep(ShardedOptimizer sharded) : IGradientStep
{
    public int FirstMicroBatch => sharded.Rank * MicroBatchCount;

    public int MicroBatchCount => sharded.MicroBatches / sharded.WorldSize;

    public void MicroBatchDone(int microBatch) => sharded.CollectMicroBatch();

    public void Step()
    {
        sharded.ReduceGradients();
        GradientClipping.ClipGradNorm(sharded.Tensors, Recipe.MaxNorm, path: sharded.Inner.Path);
        sharded.Step();
    }
}
