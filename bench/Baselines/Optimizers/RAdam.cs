using System;
using D = KernelGen.Bench.Baselines.Defaults.RAdam;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// RAdam as a user writes it by hand: the bias corrections, ρₜ and the rectification once per
/// step (in double, as torch), then one scalar loop (torch.optim.RAdam's defaults).
/// </summary>
public sealed class NaiveRAdam(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        float biasCorrection1 = StepFactors.BiasCorrection(D.Beta1, step);
        (bool rectified, float adaptiveScale) = StepFactors.Rectification(D.Beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], D.Beta1, g);
            float corrected = m / biasCorrection1 * D.Lr;
            expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], D.Beta2, g);
            param[i] -= rectified ? corrected * (adaptiveScale / (MathF.Sqrt(expAvgSq[i]) + D.Eps)) : corrected;
        }
    }
}
