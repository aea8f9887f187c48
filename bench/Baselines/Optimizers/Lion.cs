using System;
using D = KernelGen.Bench.Baselines.Defaults.Lion;

namespace KernelGen.Bench.Baselines;

/// <summary>Lion as a user writes it by hand: one scalar loop (pytorch_optimizer's defaults; weight_decay 0).</summary>
public sealed class NaiveLion(TensorArrays arrays) : Baseline(arrays, "expAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float update = TorchMath.Sign(TorchMath.Average(expAvg[i], D.Beta1, g));
            expAvg[i] = TorchMath.Average(expAvg[i], D.Beta2, g);
            param[i] -= D.Lr * update;
        }
    }
}
