using System;
using D = KernelGen.Bench.Baselines.Defaults.RAdam;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>RAdam composed from <c>TensorPrimitives</c> calls (torch.optim.RAdam's defaults).</summary>
public sealed class TensorPrimitivesRAdam(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        Average(expAvg, D.Beta1, grad);
        AverageOfSquares(expAvgSq, D.Beta2, grad, scratch);
        float stepSize = D.Lr / StepFactors.BiasCorrection(D.Beta1, step);
        (bool rectified, float adaptiveScale) = StepFactors.Rectification(D.Beta2, step);
        if (!rectified)
        {
            Tp.MultiplyAdd(expAvg, -stepSize, param, param);
            return;
        }

        // param −= lr/(1 − β₁ᵗ) · √(1 − β₂ᵗ)·r · m / (√v + ε)
        Tp.Sqrt(expAvgSq, scratch);
        Tp.Add(scratch, D.Eps, scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -stepSize * adaptiveScale, param, param);
    }
}
