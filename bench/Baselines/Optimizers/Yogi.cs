using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Yogi as a user writes it by hand: the bias corrections once per step, then one scalar loop (pytorch_optimizer's defaults: both moments start at initial_accumulator; weight_decay 0).</summary>
public sealed class NaiveYogi(TensorArrays arrays, Yogi settings) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, beta1 = settings.Beta1, beta2 = settings.Beta2,
            initialAccumulator = settings.InitialAccumulator, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        (float stepSize, float biasCorrection2Sqrt) = StepFactors.Adam(learningRate, beta1, beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float g2 = g * g;
            float m = (step == 1 ? initialAccumulator : expAvg[i]) * beta1 + (1f - beta1) * g;
            float v = step == 1 ? initialAccumulator : expAvgSq[i];
            v += -(1f - beta2) * TorchMath.Sign(v - g2) * g2;
            expAvg[i] = m;
            expAvgSq[i] = v;
            param[i] -= stepSize * (m / (MathF.Sqrt(v) / biasCorrection2Sqrt + epsilon));
        }
    }
}

/// <summary>Yogi composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: both moments start at initial_accumulator; weight_decay 0, so no decay pass).</summary>
public sealed class TensorPrimitivesYogi(TensorArrays arrays, Yogi settings) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float initialAccumulator = settings.InitialAccumulator, beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon,
            learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), squares = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            expAvg.Fill(initialAccumulator);
            expAvgSq.Fill(initialAccumulator);
        }


        // v = v − (1 − β₂)·sign(v − g²)·g²
        Average(expAvg, beta1, grad);
        Tp.Multiply(grad, grad, squares);
        Tp.Subtract(expAvgSq, squares, scratch);
        SignOf(scratch, scratch);
        Tp.Multiply(scratch, squares, scratch);
        Tp.MultiplyAdd(scratch, -(1f - beta2), expAvgSq, expAvgSq);

        // param −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
        Tp.Sqrt(expAvgSq, scratch);
        Tp.Divide(scratch, StepFactors.BiasCorrectionSqrt(beta2, step), scratch);
        Tp.Add(scratch, epsilon, scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -learningRate / StepFactors.BiasCorrection(beta1, step), param, param);
    }
}
