using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>AdaBelief as a user writes it by hand: the bias corrections once per step, then one scalar loop (pytorch_optimizer's defaults: no rectify, no AMSGrad bound, weight_decay 0).</summary>
public sealed class NaiveAdaBelief(TensorArrays arrays, AdaBelief settings) : Baseline(arrays, "expAvg", "expAvgVar")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgVar = State(1);
        ReadOnlySpan<float> grad = Grad;
        (float stepSize, float biasCorrection2Sqrt) = StepFactors.Adam(learningRate, beta1, beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], beta1, g);
            float s = expAvgVar[i] = TorchMath.AverageOfSquares(expAvgVar[i], beta2, g - m) + epsilon;
            param[i] -= stepSize * (m / ((MathF.Sqrt(s + 1e-15f) + epsilon) / biasCorrection2Sqrt));
        }
    }
}

/// <summary>AdaBelief composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: no rectify, no AMSGrad bound, weight_decay 0 so no decay pass).</summary>
public sealed class TensorPrimitivesAdaBelief(TensorArrays arrays, AdaBelief settings) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgVar")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), expAvgVar = State(1), residual = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;

        // s = β₂s + (1 − β₂)(g − m)² + ε
        Average(expAvg, beta1, grad);
        Tp.Subtract(grad, expAvg, residual);
        AverageOfSquares(expAvgVar, beta2, residual, scratch);
        Tp.Add(expAvgVar, epsilon, expAvgVar);

        // param −= lr/(1 − β₁ᵗ) · m / ((√(s + 10⁻¹⁵) + ε) / √(1 − β₂ᵗ))
        Tp.Add(expAvgVar, 1e-15f, scratch);
        Tp.Sqrt(scratch, scratch);
        Tp.Add(scratch, epsilon, scratch);
        Tp.Divide(scratch, StepFactors.BiasCorrectionSqrt(beta2, step), scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -learningRate / StepFactors.BiasCorrection(beta1, step), param, param);
    }
}
