using System;
using D = KernelGen.Bench.Baselines.Defaults.Lion;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Lion composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: weight_decay 0, so no decay pass).</summary>
public sealed class TensorPrimitivesLion(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "expAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), update = Scratch(0);
        ReadOnlySpan<float> grad = Grad;

        // u = sign(β₁m + (1 − β₁)g); m = β₂m + (1 − β₂)g; param −= lr·u
        Tp.Multiply(grad, 1f - D.Beta1, update);
        Tp.MultiplyAdd(expAvg, D.Beta1, update, update);
        SignOf(update, update);
        Average(expAvg, D.Beta2, grad);
        Tp.MultiplyAdd(update, -D.Lr, param, param);
    }
}
