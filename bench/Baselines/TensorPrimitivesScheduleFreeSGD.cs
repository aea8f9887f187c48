using System;
using D = KernelGen.Bench.Baselines.Defaults.ScheduleFreeSGD;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Schedule-free SGD composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesScheduleFreeSGD(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "z")
{
    private readonly ScheduleFreeWeights _weights = new(D.Lr);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, z = State(0);
        ReadOnlySpan<float> grad = Grad;
        // y = lerp(y, z, c) + lr(momentum(1 − c) − 1)·g; z −= lr·g
        _weights.Start(step, param, z);
        TorchLerp(param, z, _weights.Checkpoint, Scratch(0));
        Tp.MultiplyAdd(grad, _weights.YStep(D.Momentum), param, param);
        Tp.MultiplyAdd(grad, -_weights.LearningRate, z, z);
    }
}
