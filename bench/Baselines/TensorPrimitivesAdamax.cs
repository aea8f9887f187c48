using System;
using D = KernelGen.Bench.Baselines.Defaults.Adamax;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Adamax composed from <c>TensorPrimitives</c> calls (torch.optim.Adamax's defaults).</summary>
public sealed class TensorPrimitivesAdamax(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "expAvg", "expInf")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expInf = State(1), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        Average(expAvg, D.Beta1, grad);

        // u = max(β₂u, |g| + ε)
        Tp.Multiply(expInf, D.Beta2, expInf);
        Tp.Abs(grad, scratch);
        Tp.Add(scratch, D.Eps, scratch);
        Tp.Max(expInf, scratch, expInf);

        Tp.Divide(expAvg, expInf, scratch);
        Tp.MultiplyAdd(scratch, -D.Lr / (1f - MathF.Pow(D.Beta1, step)), param, param);
    }
}
