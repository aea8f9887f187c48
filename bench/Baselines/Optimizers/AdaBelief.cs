using System;
using D = KernelGen.Bench.Baselines.Defaults.AdaBelief;

namespace KernelGen.Bench.Baselines;

/// <summary>AdaBelief as a user writes it by hand: the bias corrections once per step, then one scalar loop (pytorch_optimizer's defaults: no rectify, no AMSGrad bound, weight_decay 0).</summary>
public sealed class NaiveAdaBelief(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgVar")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgVar = State(1);
        ReadOnlySpan<float> grad = Grad;
        (float stepSize, float biasCorrection2Sqrt) = StepFactors.Adam(D.Lr, D.Beta1, D.Beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], D.Beta1, g);
            float s = expAvgVar[i] = TorchMath.AverageOfSquares(expAvgVar[i], D.Beta2, g - m) + D.Eps;
            param[i] -= stepSize * (m / ((MathF.Sqrt(s + 1e-15f) + D.Eps) / biasCorrection2Sqrt));
        }
    }
}
