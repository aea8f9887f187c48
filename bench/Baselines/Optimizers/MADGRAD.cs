using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// MADGRAD as a user writes it by hand: the step multiplier λ = (lr + ε)√t once per step, then one
/// scalar loop with <see cref="MathF.Cbrt"/> (pytorch_optimizer's defaults: momentum 0.9, so x₀ is
/// the parameter before the first step).
/// </summary>
public sealed class NaiveMADGRAD(TensorArrays arrays, MADGRAD settings) : Baseline(arrays, "gradSumSq", "sum", "x0")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, epsilon = settings.Epsilon, momentum = settings.Momentum;
        Span<float> param = Param, gradSumSq = State(0), sum = State(1), x0 = State(2);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            param.CopyTo(x0);
        }

        float lambda = (learningRate + epsilon) * MathF.Sqrt(step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float sumSq = gradSumSq[i] + lambda * g * g;
            float s = sum[i] + lambda * g;
            gradSumSq[i] = sumSq;
            sum[i] = s;
            float z = x0[i] - s / (MathF.Cbrt(sumSq) + epsilon);
            param[i] = param[i] * momentum + (1f - momentum) * z;
        }
    }
}

/// <summary>MADGRAD composed from <c>TensorPrimitives</c> calls, the cube root from <c>TensorPrimitives.Cbrt</c> (pytorch_optimizer's defaults: momentum 0.9).</summary>
public sealed class TensorPrimitivesMADGRAD(TensorArrays arrays, MADGRAD settings) : TensorPrimitivesBaseline(arrays, 2, "gradSumSq", "sum", "x0")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, epsilon = settings.Epsilon, momentum = settings.Momentum;
        Span<float> param = Param, gradSumSq = State(0), sum = State(1), x0 = State(2), scaled = Scratch(0), z = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            param.CopyTo(x0);
        }

        // Σ += λg²; s += λg with λ = (lr + ε)√t
        Tp.Multiply(grad, (learningRate + epsilon) * MathF.Sqrt(step), scaled);
        Tp.MultiplyAdd(scaled, grad, gradSumSq, gradSumSq);
        Tp.Add(sum, scaled, sum);

        // z = x₀ − s/(∛Σ + ε); param = momentum·param + (1 − momentum)·z
        Tp.Cbrt(gradSumSq, z);
        Tp.Add(z, epsilon, z);
        Tp.Divide(sum, z, z);
        Tp.Subtract(x0, z, z);
        Tp.Multiply(param, momentum, param);
        Tp.MultiplyAdd(z, 1f - momentum, param, param);
    }
}
