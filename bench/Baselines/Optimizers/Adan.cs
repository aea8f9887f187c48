using System;
using D = KernelGen.Bench.Baselines.Defaults.Adan;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Adan as a user writes it by hand: the bias corrections once per step, then one scalar loop
/// (pytorch_optimizer's defaults: no gradient clipping; weight_decay 0, so no division by 1 + lr·wd).
/// </summary>
public sealed class NaiveAdan(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgSq", "expAvgDiff", "previousGradNegated")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), expAvgDiff = State(2), previousGradNegated = State(3);
        ReadOnlySpan<float> grad = Grad;
        float averageStep = D.Lr / StepFactors.BiasCorrection(D.Beta1, step);
        float differenceStep = D.Lr * D.Beta2 / StepFactors.BiasCorrection(D.Beta2, step);
        float biasCorrection3Sqrt = StepFactors.BiasCorrectionSqrt(D.Beta3, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float difference = (step == 1 ? -g : previousGradNegated[i]) + g;
            float m = expAvg[i] = TorchMath.Average(expAvg[i], D.Beta1, g);
            float n = expAvgDiff[i] = TorchMath.Average(expAvgDiff[i], D.Beta2, difference);
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], D.Beta3, difference * D.Beta2 + g);
            previousGradNegated[i] = -g;
            float denominator = MathF.Sqrt(v) / biasCorrection3Sqrt + D.Eps;
            param[i] -= averageStep * (m / denominator) + differenceStep * (n / denominator);
        }
    }
}
