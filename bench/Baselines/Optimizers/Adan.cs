using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// Adan as a user writes it by hand: the bias corrections once per step, then one scalar loop
/// (pytorch_optimizer's defaults: no gradient clipping; weight_decay 0, so no division by 1 + lr·wd).
/// </summary>
public sealed class NaiveAdan(TensorArrays arrays, Adan settings) : Baseline(arrays, "expAvg", "expAvgSq", "expAvgDiff", "previousGradNegated")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, beta1 = settings.Beta1, beta2 = settings.Beta2, beta3 = settings.Beta3,
            epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), expAvgDiff = State(2), previousGradNegated = State(3);
        ReadOnlySpan<float> grad = Grad;
        float averageStep = learningRate / StepFactors.BiasCorrection(beta1, step);
        float differenceStep = learningRate * beta2 / StepFactors.BiasCorrection(beta2, step);
        float biasCorrection3Sqrt = StepFactors.BiasCorrectionSqrt(beta3, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float difference = (step == 1 ? -g : previousGradNegated[i]) + g;
            float m = expAvg[i] = TorchMath.Average(expAvg[i], beta1, g);
            float n = expAvgDiff[i] = TorchMath.Average(expAvgDiff[i], beta2, difference);
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], beta3, difference * beta2 + g);
            previousGradNegated[i] = -g;
            float denominator = MathF.Sqrt(v) / biasCorrection3Sqrt + epsilon;
            param[i] -= averageStep * (m / denominator) + differenceStep * (n / denominator);
        }
    }
}

/// <summary>Adan composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: no gradient clipping; weight_decay 0, so no division by 1 + lr·wd).</summary>
public sealed class TensorPrimitivesAdan(TensorArrays arrays, Adan settings)
    : TensorPrimitivesBaseline(arrays, 3, "expAvg", "expAvgSq", "expAvgDiff", "previousGradNegated")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, beta3 = settings.Beta3, epsilon = settings.Epsilon,
            learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), expAvgDiff = State(2), previousGradNegated = State(3);
        Span<float> difference = Scratch(0), u = Scratch(1), denominator = Scratch(2);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            Tp.Negate(grad, previousGradNegated);
        }

        // d = g − g_prev; m, n, and v over u = β₂d + g
        Tp.Add(previousGradNegated, grad, difference);
        Average(expAvg, beta1, grad);
        Average(expAvgDiff, beta2, difference);
        Tp.MultiplyAdd(difference, beta2, grad, u);
        AverageOfSquares(expAvgSq, beta3, u, difference);
        Tp.Negate(grad, previousGradNegated);

        // δ = √v / √(1 − β₃ᵗ) + ε; param −= lr/(1 − β₁ᵗ)·m/δ + lr·β₂/(1 − β₂ᵗ)·n/δ
        Tp.Sqrt(expAvgSq, denominator);
        Tp.Divide(denominator, StepFactors.BiasCorrectionSqrt(beta3, step), denominator);
        Tp.Add(denominator, epsilon, denominator);
        Tp.Divide(expAvg, denominator, u);
        Tp.MultiplyAdd(u, -learningRate / StepFactors.BiasCorrection(beta1, step), param, param);
        Tp.Divide(expAvgDiff, denominator, u);
        Tp.MultiplyAdd(u, -learningRate * beta2 / StepFactors.BiasCorrection(beta2, step), param, param);
    }
}
