using System;
using D = KernelGen.Bench.Baselines.Defaults.RMSprop;

namespace KernelGen.Bench.Baselines;

/// <summary>RMSprop as a user writes it by hand: one scalar loop (torch.optim.RMSprop's defaults: not centered, no momentum).</summary>
public sealed class NaiveRMSprop(TensorArrays arrays) : Baseline(arrays, "squareAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, squareAvg = State(0);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float v = squareAvg[i] * D.Alpha + (1f - D.Alpha) * g * g;
            squareAvg[i] = v;
            param[i] -= D.Lr * g / (MathF.Sqrt(v) + D.Eps);
        }
    }
}
