using System;
using D = KernelGen.Bench.Baselines.Defaults.AdaBelief;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>AdaBelief composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: no rectify, no AMSGrad bound, weight_decay 0 so no decay pass).</summary>
public sealed class TensorPrimitivesAdaBelief(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgVar")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgVar = State(1), residual = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;

        // s = β₂s + (1 − β₂)(g − m)² + ε
        Average(expAvg, D.Beta1, grad);
        Tp.Subtract(grad, expAvg, residual);
        AverageOfSquares(expAvgVar, D.Beta2, residual, scratch);
        Tp.Add(expAvgVar, D.Eps, expAvgVar);

        // param −= lr/(1 − β₁ᵗ) · m / ((√(s + 10⁻¹⁵) + ε) / √(1 − β₂ᵗ))
        Tp.Add(expAvgVar, 1e-15f, scratch);
        Tp.Sqrt(scratch, scratch);
        Tp.Add(scratch, D.Eps, scratch);
        Tp.Divide(scratch, StepFactors.BiasCorrectionSqrt(D.Beta2, step), scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -D.Lr / StepFactors.BiasCorrection(D.Beta1, step), param, param);
    }
}
