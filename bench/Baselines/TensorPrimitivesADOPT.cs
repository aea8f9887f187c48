using System;
using D = KernelGen.Bench.Baselines.Defaults.ADOPT;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>ADOPT composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesADOPT(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), normed = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            Tp.MultiplyAdd(grad, grad, expAvgSq, expAvgSq);
            return;
        }

        // m = lerp(m, clamp(g / max(√v, ε), ±t^¼), 1 − β₁); param −= lr·m; then v is updated
        float clip = MathF.Pow(step, 0.25f);
        Tp.Sqrt(expAvgSq, normed);
        Tp.Max(normed, D.Eps, normed);
        Tp.Divide(grad, normed, normed);
        Tp.Clamp(normed, -clip, clip, normed);
        TorchLerp(expAvg, normed, 1f - D.Beta1, scratch);
        Tp.MultiplyAdd(expAvg, -D.Lr, param, param);
        AverageOfSquares(expAvgSq, D.Beta2, grad, normed);
    }
}
