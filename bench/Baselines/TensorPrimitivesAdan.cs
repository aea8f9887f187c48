using System;
using D = KernelGen.Bench.Baselines.Defaults.Adan;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Adan composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: no gradient clipping; weight_decay 0, so no division by 1 + lr·wd).</summary>
public sealed class TensorPrimitivesAdan(TensorArrays arrays)
    : TensorPrimitivesBaseline(arrays, 3, "expAvg", "expAvgSq", "expAvgDiff", "previousGradNegated")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), expAvgDiff = State(2), previousGradNegated = State(3);
        Span<float> difference = Scratch(0), u = Scratch(1), denominator = Scratch(2);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            Tp.Negate(grad, previousGradNegated);
        }

        // d = g − g_prev; m, n, and v over u = β₂d + g
        Tp.Add(previousGradNegated, grad, difference);
        Average(expAvg, D.Beta1, grad);
        Average(expAvgDiff, D.Beta2, difference);
        Tp.MultiplyAdd(difference, D.Beta2, grad, u);
        AverageOfSquares(expAvgSq, D.Beta3, u, difference);
        Tp.Negate(grad, previousGradNegated);

        // δ = √v / √(1 − β₃ᵗ) + ε; param −= lr/(1 − β₁ᵗ)·m/δ + lr·β₂/(1 − β₂ᵗ)·n/δ
        Tp.Sqrt(expAvgSq, denominator);
        Tp.Divide(denominator, StepFactors.BiasCorrectionSqrt(D.Beta3, step), denominator);
        Tp.Add(denominator, D.Eps, denominator);
        Tp.Divide(expAvg, denominator, u);
        Tp.MultiplyAdd(u, -D.Lr / StepFactors.BiasCorrection(D.Beta1, step), param, param);
        Tp.Divide(expAvgDiff, denominator, u);
        Tp.MultiplyAdd(u, -D.Lr * D.Beta2 / StepFactors.BiasCorrection(D.Beta2, step), param, param);
    }
}
