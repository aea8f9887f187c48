using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Adamax as a user writes it by hand: the bias-corrected learning rate once per step, then one scalar loop (torch.optim.Adamax's defaults).</summary>
public sealed class NaiveAdamax(TensorArrays arrays, Adamax settings) : Baseline(arrays, "expAvg", "expInf")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expInf = State(1);
        ReadOnlySpan<float> grad = Grad;
        float clr = learningRate / (1f - MathF.Pow(beta1, step));
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] * beta1 + (1f - beta1) * g;
            float u = MathF.Max(expInf[i] * beta2, MathF.Abs(g) + epsilon);
            expAvg[i] = m;
            expInf[i] = u;
            param[i] -= clr * m / u;
        }
    }
}

/// <summary>Adamax composed from <c>TensorPrimitives</c> calls (torch.optim.Adamax's defaults).</summary>
public sealed class TensorPrimitivesAdamax(TensorArrays arrays, Adamax settings) : TensorPrimitivesBaseline(arrays, 1, "expAvg", "expInf")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, expAvg = State(0), expInf = State(1), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        Average(expAvg, beta1, grad);

        // u = max(β₂u, |g| + ε)
        Tp.Multiply(expInf, beta2, expInf);
        Tp.Abs(grad, scratch);
        Tp.Add(scratch, epsilon, scratch);
        Tp.Max(expInf, scratch, expInf);

        Tp.Divide(expAvg, expInf, scratch);
        Tp.MultiplyAdd(scratch, -learningRate / (1f - MathF.Pow(beta1, step)), param, param);
    }
}
