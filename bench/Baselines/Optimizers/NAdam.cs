using System;
using D = KernelGen.Bench.Baselines.Defaults.NAdam;

namespace KernelGen.Bench.Baselines;

/// <summary>NAdam as a user writes it by hand: the momentum schedule and bias correction once per step, then one scalar loop (torch.optim.NAdam 1.13's defaults).</summary>
public sealed class NaiveNAdam(TensorArrays arrays) : Baseline(arrays, "expAvg", "expAvgSq")
{
    private readonly NAdamMomentum _momentum = new();

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        _momentum.Advance(step);
        float gradStep = _momentum.GradStep;
        float averageStep = _momentum.AverageStep;
        float biasCorrection2 = 1f - MathF.Pow(D.Beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], D.Beta1, g);
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], D.Beta2, g);
            float denominator = MathF.Sqrt(v / biasCorrection2) + D.Eps;
            param[i] -= gradStep * g / denominator + averageStep * m / denominator;
        }
    }
}
