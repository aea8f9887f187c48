using System;
using D = KernelGen.Bench.Baselines.Defaults.Adadelta;

namespace KernelGen.Bench.Baselines;

/// <summary>Adadelta as a user writes it by hand: one scalar loop (torch.optim.Adadelta's defaults).</summary>
public sealed class NaiveAdadelta(TensorArrays arrays) : Baseline(arrays, "squareAvg", "accDelta")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, squareAvg = State(0), accDelta = State(1);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float v = squareAvg[i] * D.Rho + (1f - D.Rho) * g * g;
            float delta = MathF.Sqrt(accDelta[i] + D.Eps) / MathF.Sqrt(v + D.Eps) * g;
            squareAvg[i] = v;
            accDelta[i] = accDelta[i] * D.Rho + (1f - D.Rho) * delta * delta;
            param[i] -= D.Lr * delta;
        }
    }
}
