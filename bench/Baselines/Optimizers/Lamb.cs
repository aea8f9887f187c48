using System;
using D = KernelGen.Bench.Baselines.Defaults.Lamb;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// LAMB as a user writes it by hand: a first loop updates the moments and sums the squares of the
/// parameter and of the Adam direction, then the trust ratio, then a second loop steps along the
/// direction (pytorch_optimizer's defaults; weight_decay 0, so no decay).
/// </summary>
public sealed class NaiveLamb(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        double paramSquares = 0, directionSquares = 0;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], D.Beta1, g);
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], D.Beta2, g);
            float direction = m / (MathF.Sqrt(v) + D.Eps);
            paramSquares += param[i] * param[i];
            directionSquares += direction * direction;
        }

        float weightNorm = MathF.Min((float)Math.Sqrt(paramSquares), 10f);
        float updateNorm = (float)Math.Sqrt(directionSquares);
        float trustRatio = weightNorm == 0f || updateNorm == 0f ? 1f : weightNorm / (updateNorm + D.Eps);
        float scale = D.Lr / StepFactors.BiasCorrection(D.Beta1, step) * trustRatio;
        for (int i = 0; i < param.Length; i++)
        {
            param[i] -= scale * (expAvg[i] / (MathF.Sqrt(expAvgSq[i]) + D.Eps));
        }
    }
}
