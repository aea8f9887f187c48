using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Schedule-free SGD as a user writes it by hand: the averaging weight c once per step, then one scalar loop over y (the parameter) and z (pytorch_optimizer's defaults).</summary>
public sealed class NaiveScheduleFreeSGD(TensorArrays arrays, ScheduleFreeSGD settings) : Baseline(arrays, "z")
{
    private readonly ScheduleFreeWeights _weights = new(settings.LearningRate);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float momentum = settings.Momentum;
        Span<float> param = Param, z = State(0);
        ReadOnlySpan<float> grad = Grad;
        _weights.Start(step, param, z);
        float lr = _weights.LearningRate;
        float checkpoint = _weights.Checkpoint;
        float yStep = _weights.YStep(momentum);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            param[i] = TorchMath.Lerp(param[i], z[i], checkpoint) + yStep * g;
            z[i] -= lr * g;
        }
    }
}

/// <summary>Schedule-free SGD composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesScheduleFreeSGD(TensorArrays arrays, ScheduleFreeSGD settings) : TensorPrimitivesBaseline(arrays, 1, "z")
{
    private readonly ScheduleFreeWeights _weights = new(settings.LearningRate);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float momentum = settings.Momentum;
        Span<float> param = Param, z = State(0);
        ReadOnlySpan<float> grad = Grad;
        // y = lerp(y, z, c) + lr(momentum(1 − c) − 1)·g; z −= lr·g
        _weights.Start(step, param, z);
        TorchLerp(param, z, _weights.Checkpoint, Scratch(0));
        Tp.MultiplyAdd(grad, _weights.YStep(momentum), param, param);
        Tp.MultiplyAdd(grad, -_weights.LearningRate, z, z);
    }
}
