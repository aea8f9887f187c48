using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// RAdam as a user writes it by hand: the bias corrections, ρₜ and the rectification once per
/// step (in double, as torch), then one scalar loop (torch.optim.RAdam's defaults).
/// </summary>
public sealed class NaiveRAdam(TensorArrays arrays, RAdam settings) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, learningRate = settings.LearningRate, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        float biasCorrection1 = StepFactors.BiasCorrection(beta1, step);
        (bool rectified, float adaptiveScale) = StepFactors.Rectification(beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], beta1, g);
            float corrected = m / biasCorrection1 * learningRate;
            expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], beta2, g);
            param[i] -= rectified ? corrected * (adaptiveScale / (MathF.Sqrt(expAvgSq[i]) + epsilon)) : corrected;
        }
    }
}

/// <summary>RAdam composed from <c>TensorPrimitives</c> calls (torch.optim.RAdam's defaults).</summary>
public sealed class TensorPrimitivesRAdam(TensorArrays arrays, RAdam settings) : TensorPrimitivesBaseline(arrays, 1, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, learningRate = settings.LearningRate, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        Average(expAvg, beta1, grad);
        AverageOfSquares(expAvgSq, beta2, grad, scratch);
        float stepSize = learningRate / StepFactors.BiasCorrection(beta1, step);
        (bool rectified, float adaptiveScale) = StepFactors.Rectification(beta2, step);
        if (!rectified)
        {
            Tp.MultiplyAdd(expAvg, -stepSize, param, param);
            return;
        }

        // param −= lr/(1 − β₁ᵗ) · √(1 − β₂ᵗ)·r · m / (√v + ε)
        Tp.Sqrt(expAvgSq, scratch);
        Tp.Add(scratch, epsilon, scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -stepSize * adaptiveScale, param, param);
    }
}
