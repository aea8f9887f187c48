using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// LAMB as a user writes it by hand: a first loop updates the moments and sums the squares of the
/// parameter and of the Adam direction, then the trust ratio, then a second loop steps along the
/// direction (pytorch_optimizer's defaults; weight_decay 0, so no decay).
/// </summary>
public sealed class NaiveLamb(TensorArrays arrays, Lamb settings) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        double paramSquares = 0, directionSquares = 0;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], beta1, g);
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], beta2, g);
            float direction = m / (MathF.Sqrt(v) + epsilon);
            paramSquares += param[i] * param[i];
            directionSquares += direction * direction;
        }

        float weightNorm = MathF.Min((float)Math.Sqrt(paramSquares), 10f);
        float updateNorm = (float)Math.Sqrt(directionSquares);
        float trustRatio = weightNorm == 0f || updateNorm == 0f ? 1f : weightNorm / (updateNorm + epsilon);
        float scale = learningRate / StepFactors.BiasCorrection(beta1, step) * trustRatio;
        for (int i = 0; i < param.Length; i++)
        {
            param[i] -= scale * (expAvg[i] / (MathF.Sqrt(expAvgSq[i]) + epsilon));
        }
    }
}

/// <summary>LAMB composed from <c>TensorPrimitives</c> calls, the two norms from <c>TensorPrimitives.Norm</c> (pytorch_optimizer's defaults: weight_decay 0, so no decay pass).</summary>
public sealed class TensorPrimitivesLamb(TensorArrays arrays, Lamb settings) : TensorPrimitivesBaseline(arrays, 1, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), direction = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        Average(expAvg, beta1, grad);
        AverageOfSquares(expAvgSq, beta2, grad, direction);

        // d = m / (√v + ε); trust = min(‖p‖, 10) / (‖d‖ + ε); param −= lr/(1 − β₁ᵗ)·trust·d
        Tp.Sqrt(expAvgSq, direction);
        Tp.Add(direction, epsilon, direction);
        Tp.Divide(expAvg, direction, direction);
        float weightNorm = MathF.Min(Tp.Norm<float>(param), 10f);
        float updateNorm = Tp.Norm<float>(direction);
        float trustRatio = weightNorm == 0f || updateNorm == 0f ? 1f : weightNorm / (updateNorm + epsilon);
        Tp.MultiplyAdd(direction, -learningRate / StepFactors.BiasCorrection(beta1, step) * trustRatio, param, param);
    }
}
