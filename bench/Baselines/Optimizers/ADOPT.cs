using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// ADOPT as a user writes it by hand: the first step only accumulates g², later steps clip
/// g/max(√v, ε) to ±t^¼ in one scalar loop (pytorch_optimizer's defaults).
/// </summary>
public sealed class NaiveADOPT(TensorArrays arrays, ADOPT settings) : Baseline(arrays, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float epsilon = settings.Epsilon, beta1 = settings.Beta1, learningRate = settings.LearningRate, beta2 = settings.Beta2;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            for (int i = 0; i < param.Length; i++)
            {
                expAvgSq[i] += grad[i] * grad[i];
            }

            return;
        }

        float clip = MathF.Pow(step, 0.25f);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float normed = Math.Clamp(g / MathF.Max(MathF.Sqrt(expAvgSq[i]), epsilon), -clip, clip);
            float m = TorchMath.Lerp(expAvg[i], normed, 1f - beta1);
            expAvg[i] = m;
            param[i] -= learningRate * m;
            expAvgSq[i] = expAvgSq[i] * beta2 + (1f - beta2) * g * g;
        }
    }
}

/// <summary>ADOPT composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesADOPT(TensorArrays arrays, ADOPT settings) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgSq")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float epsilon = settings.Epsilon, beta1 = settings.Beta1, learningRate = settings.LearningRate, beta2 = settings.Beta2;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), normed = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            Tp.MultiplyAdd(grad, grad, expAvgSq, expAvgSq);
            return;
        }

        // m = lerp(m, clamp(g / max(√v, ε), ±t^¼), 1 − β₁); param −= lr·m; then v is updated
        float clip = MathF.Pow(step, 0.25f);
        Tp.Sqrt(expAvgSq, normed);
        Tp.Max(normed, epsilon, normed);
        Tp.Divide(grad, normed, normed);
        Tp.Clamp(normed, -clip, clip, normed);
        TorchLerp(expAvg, normed, 1f - beta1, scratch);
        Tp.MultiplyAdd(expAvg, -learningRate, param, param);
        AverageOfSquares(expAvgSq, beta2, grad, normed);
    }
}
