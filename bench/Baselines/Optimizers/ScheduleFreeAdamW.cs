using System;
using D = KernelGen.Bench.Baselines.Defaults.ScheduleFreeAdamW;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Schedule-free AdamW as a user writes it by hand: the averaging weight c and the bias
/// correction once per step, then one scalar loop over y (the parameter) and z (pytorch_optimizer's defaults).
/// </summary>
public sealed class NaiveScheduleFreeAdamW(TensorArrays arrays) : Baseline(arrays, "z", "expAvgSq")
{
    private readonly ScheduleFreeWeights _weights = new(D.Lr);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, z = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        _weights.Start(step, param, z);
        float lr = _weights.LearningRate;
        float checkpoint = _weights.Checkpoint;
        float yStep = _weights.YStep(D.Beta1);
        float biasCorrection2 = StepFactors.BiasCorrection(D.Beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], D.Beta2, g);
            float u = g / (MathF.Sqrt(v / biasCorrection2 + 1e-15f) + D.Eps);
            param[i] = TorchMath.Lerp(param[i], z[i], checkpoint) + yStep * u;
            z[i] -= lr * u;
        }
    }
}
