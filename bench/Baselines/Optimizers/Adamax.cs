using System;
using D = KernelGen.Bench.Baselines.Defaults.Adamax;

namespace KernelGen.Bench.Baselines;

/// <summary>Adamax as a user writes it by hand: the bias-corrected learning rate once per step, then one scalar loop (torch.optim.Adamax's defaults).</summary>
public sealed class NaiveAdamax(TensorArrays arrays) : Baseline(arrays, "expAvg", "expInf")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expInf = State(1);
        ReadOnlySpan<float> grad = Grad;
        float clr = D.Lr / (1f - MathF.Pow(D.Beta1, step));
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] * D.Beta1 + (1f - D.Beta1) * g;
            float u = MathF.Max(expInf[i] * D.Beta2, MathF.Abs(g) + D.Eps);
            expAvg[i] = m;
            expInf[i] = u;
            param[i] -= clr * m / u;
        }
    }
}
