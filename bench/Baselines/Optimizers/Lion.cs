using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Lion as a user writes it by hand: one scalar loop (pytorch_optimizer's defaults; weight_decay 0).</summary>
public sealed class NaiveLion(TensorArrays arrays, Lion settings) : Baseline(arrays, "expAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float update = TorchMath.Sign(TorchMath.Average(expAvg[i], beta1, g));
            expAvg[i] = TorchMath.Average(expAvg[i], beta2, g);
            param[i] -= learningRate * update;
        }
    }
}

/// <summary>Lion composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults: weight_decay 0, so no decay pass).</summary>
public sealed class TensorPrimitivesLion(TensorArrays arrays, Lion settings) : TensorPrimitivesBaseline(arrays, 1, "expAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), update = Scratch(0);
        ReadOnlySpan<float> grad = Grad;

        // u = sign(β₁m + (1 − β₁)g); m = β₂m + (1 − β₂)g; param −= lr·u
        Tp.Multiply(grad, 1f - beta1, update);
        Tp.MultiplyAdd(expAvg, beta1, update, update);
        SignOf(update, update);
        Average(expAvg, beta2, grad);
        Tp.MultiplyAdd(update, -learningRate, param, param);
    }
}
