using System;
using D = KernelGen.Bench.Baselines.Defaults.Rprop;

namespace KernelGen.Bench.Baselines;

/// <summary>Rprop as a user writes it by hand: one scalar loop with the sign tests inline (torch.optim.Rprop's defaults).</summary>
public sealed class NaiveRprop(TensorArrays arrays) : Baseline(arrays, "previous", "stepSize")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, previous = State(0), stepSize = State(1);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float product = g * previous[i];
            float factor = product > 0f ? D.EtaPlus : product < 0f ? D.EtaMinus : 1f;
            float size = MathF.Min(MathF.Max((step == 1 ? D.Lr : stepSize[i]) * factor, D.MinStep), D.MaxStep);
            stepSize[i] = size;
            g = product < 0f ? 0f : g;
            param[i] -= TorchMath.Sign(g) * size;
            previous[i] = g;
        }
    }
}
