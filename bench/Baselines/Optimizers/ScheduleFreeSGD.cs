using System;
using D = KernelGen.Bench.Baselines.Defaults.ScheduleFreeSGD;

namespace KernelGen.Bench.Baselines;

/// <summary>Schedule-free SGD as a user writes it by hand: the averaging weight c once per step, then one scalar loop over y (the parameter) and z (pytorch_optimizer's defaults).</summary>
public sealed class NaiveScheduleFreeSGD(TensorArrays arrays) : Baseline(arrays, "z")
{
    private readonly ScheduleFreeWeights _weights = new(D.Lr);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, z = State(0);
        ReadOnlySpan<float> grad = Grad;
        _weights.Start(step, param, z);
        float lr = _weights.LearningRate;
        float checkpoint = _weights.Checkpoint;
        float yStep = _weights.YStep(D.Momentum);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            param[i] = TorchMath.Lerp(param[i], z[i], checkpoint) + yStep * g;
            z[i] -= lr * g;
        }
    }
}
