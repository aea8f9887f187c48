using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// Schedule-free AdamW as a user writes it by hand: the averaging weight c and the bias
/// correction once per step, then one scalar loop over y (the parameter) and z (pytorch_optimizer's defaults).
/// </summary>
public sealed class NaiveScheduleFreeAdamW(TensorArrays arrays, ScheduleFreeAdamW settings) : Baseline(arrays, "z", "expAvgSq")
{
    private readonly ScheduleFreeWeights _weights = new(settings.LearningRate);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon;
        Span<float> param = Param, z = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        _weights.Start(step, param, z);
        float lr = _weights.LearningRate;
        float checkpoint = _weights.Checkpoint;
        float yStep = _weights.YStep(beta1);
        float biasCorrection2 = StepFactors.BiasCorrection(beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], beta2, g);
            float u = g / (MathF.Sqrt(v / biasCorrection2 + 1e-15f) + epsilon);
            param[i] = TorchMath.Lerp(param[i], z[i], checkpoint) + yStep * u;
            z[i] -= lr * u;
        }
    }
}

/// <summary>Schedule-free AdamW composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesScheduleFreeAdamW(TensorArrays arrays, ScheduleFreeAdamW settings) : TensorPrimitivesBaseline(arrays, 2, "z", "expAvgSq")
{
    private readonly ScheduleFreeWeights _weights = new(settings.LearningRate);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta2 = settings.Beta2, epsilon = settings.Epsilon, beta1 = settings.Beta1;
        Span<float> param = Param, z = State(0), expAvgSq = State(1), u = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        // u = g / (√(v/(1 − β₂ᵗ) + 10⁻¹⁵) + ε)
        _weights.Start(step, param, z);
        AverageOfSquares(expAvgSq, beta2, grad, u);
        Tp.Divide(expAvgSq, StepFactors.BiasCorrection(beta2, step), u);
        Tp.Add(u, 1e-15f, u);
        Tp.Sqrt(u, u);
        Tp.Add(u, epsilon, u);
        Tp.Divide(grad, u, u);

        // y = lerp(y, z, c) + lr(β₁(1 − c) − 1)·u; z −= lr·u
        TorchLerp(param, z, _weights.Checkpoint, scratch);
        Tp.MultiplyAdd(u, _weights.YStep(beta1), param, param);
        Tp.MultiplyAdd(u, -_weights.LearningRate, z, z);
    }
}
