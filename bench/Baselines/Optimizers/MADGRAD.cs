using System;
using D = KernelGen.Bench.Baselines.Defaults.MADGRAD;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// MADGRAD as a user writes it by hand: the step multiplier λ = (lr + ε)√t once per step, then one
/// scalar loop with <see cref="MathF.Cbrt"/> (pytorch_optimizer's defaults: momentum 0.9, so x₀ is
/// the parameter before the first step).
/// </summary>
public sealed class NaiveMADGRAD(TensorArrays arrays) : Baseline(arrays, "gradSumSq", "sum", "x0")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, gradSumSq = State(0), sum = State(1), x0 = State(2);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            param.CopyTo(x0);
        }

        float lambda = (D.Lr + D.Eps) * MathF.Sqrt(step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float sumSq = gradSumSq[i] + lambda * g * g;
            float s = sum[i] + lambda * g;
            gradSumSq[i] = sumSq;
            sum[i] = s;
            float z = x0[i] - s / (MathF.Cbrt(sumSq) + D.Eps);
            param[i] = param[i] * D.Momentum + (1f - D.Momentum) * z;
        }
    }
}
