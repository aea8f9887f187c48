using System;
using D = KernelGen.Bench.Baselines.Defaults.Adagrad;

namespace KernelGen.Bench.Baselines;

/// <summary>Adagrad as a user writes it by hand: the decayed learning rate once per step, then one scalar loop (torch.optim.Adagrad's defaults).</summary>
public sealed class NaiveAdagrad(TensorArrays arrays) : Baseline(arrays, "sum")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, sum = State(0);
        ReadOnlySpan<float> grad = Grad;
        float clr = D.Lr / (1f + (step - 1f) * D.LrDecay);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float s = (step == 1 ? D.InitialAccumulator : sum[i]) + g * g;
            sum[i] = s;
            param[i] -= clr * g / (MathF.Sqrt(s) + D.Eps);
        }
    }
}
