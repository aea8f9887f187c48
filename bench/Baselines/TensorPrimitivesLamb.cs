using System;
using D = KernelGen.Bench.Baselines.Defaults.Lamb;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>LAMB composed from <c>TensorPrimitives</c> calls, the two norms from <c>TensorPrimitives.Norm</c> (pytorch_optimizer's defaults: weight_decay 0, so no decay pass).</summary>
public sealed class TensorPrimitivesLamb(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), direction = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        Average(expAvg, D.Beta1, grad);
        AverageOfSquares(expAvgSq, D.Beta2, grad, direction);

        // d = m / (√v + ε); trust = min(‖p‖, 10) / (‖d‖ + ε); param −= lr/(1 − β₁ᵗ)·trust·d
        Tp.Sqrt(expAvgSq, direction);
        Tp.Add(direction, D.Eps, direction);
        Tp.Divide(expAvg, direction, direction);
        float weightNorm = MathF.Min(Tp.Norm<float>(param), 10f);
        float updateNorm = Tp.Norm<float>(direction);
        float trustRatio = weightNorm == 0f || updateNorm == 0f ? 1f : weightNorm / (updateNorm + D.Eps);
        Tp.MultiplyAdd(direction, -D.Lr / StepFactors.BiasCorrection(D.Beta1, step) * trustRatio, param, param);
    }
}
