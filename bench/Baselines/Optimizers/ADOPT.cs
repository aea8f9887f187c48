using System;
using D = KernelGen.Bench.Baselines.Defaults.ADOPT;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// ADOPT as a user writes it by hand: the first step only accumulates g², later steps clip
/// g/max(√v, ε) to ±t^¼ in one scalar loop (pytorch_optimizer's defaults).
/// </summary>
public sealed class NaiveADOPT(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            for (int i = 0; i < param.Length; i++)
            {
                expAvgSq[i] += grad[i] * grad[i];
            }

            return;
        }

        float clip = MathF.Pow(step, 0.25f);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float normed = Math.Clamp(g / MathF.Max(MathF.Sqrt(expAvgSq[i]), D.Eps), -clip, clip);
            float m = TorchMath.Lerp(expAvg[i], normed, 1f - D.Beta1);
            expAvg[i] = m;
            param[i] -= D.Lr * m;
            expAvgSq[i] = expAvgSq[i] * D.Beta2 + (1f - D.Beta2) * g * g;
        }
    }
}
