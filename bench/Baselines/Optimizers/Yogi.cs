using System;
using D = KernelGen.Bench.Baselines.Defaults.Yogi;

namespace KernelGen.Bench.Baselines;

/// <summary>Yogi as a user writes it by hand: the bias corrections once per step, then one scalar loop (pytorch_optimizer's defaults: both moments start at initial_accumulator; weight_decay 0).</summary>
public sealed class NaiveYogi(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        (float stepSize, float biasCorrection2Sqrt) = StepFactors.Adam(D.Lr, D.Beta1, D.Beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float g2 = g * g;
            float m = (step == 1 ? D.InitialAccumulator : expAvg[i]) * D.Beta1 + (1f - D.Beta1) * g;
            float v = step == 1 ? D.InitialAccumulator : expAvgSq[i];
            v += -(1f - D.Beta2) * TorchMath.Sign(v - g2) * g2;
            expAvg[i] = m;
            expAvgSq[i] = v;
            param[i] -= stepSize * (m / (MathF.Sqrt(v) / biasCorrection2Sqrt + D.Eps));
        }
    }
}
