using System;
using D = KernelGen.Bench.Baselines.Defaults.Yogi;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Yogi composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: both moments start at initial_accumulator; weight_decay 0, so no decay pass).</summary>
public sealed class TensorPrimitivesYogi(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), squares = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            expAvg.Fill(D.InitialAccumulator);
            expAvgSq.Fill(D.InitialAccumulator);
        }


        // v = v − (1 − β₂)·sign(v − g²)·g²
        Average(expAvg, D.Beta1, grad);
        Tp.Multiply(grad, grad, squares);
        Tp.Subtract(expAvgSq, squares, scratch);
        SignOf(scratch, scratch);
        Tp.Multiply(scratch, squares, scratch);
        Tp.MultiplyAdd(scratch, -(1f - D.Beta2), expAvgSq, expAvgSq);

        // param −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
        Tp.Sqrt(expAvgSq, scratch);
        Tp.Divide(scratch, StepFactors.BiasCorrectionSqrt(D.Beta2, step), scratch);
        Tp.Add(scratch, D.Eps, scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -D.Lr / StepFactors.BiasCorrection(D.Beta1, step), param, param);
    }
}
