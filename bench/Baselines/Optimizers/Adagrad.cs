using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Adagrad as a user writes it by hand: the decayed learning rate once per step, then one scalar loop (torch.optim.Adagrad's defaults).</summary>
public sealed class NaiveAdagrad(TensorArrays arrays, Adagrad settings) : Baseline(arrays, "sum")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, learningRateDecay = settings.LearningRateDecay,
            initialAccumulatorValue = settings.InitialAccumulatorValue, epsilon = settings.Epsilon;
        Span<float> param = Param, sum = State(0);
        ReadOnlySpan<float> grad = Grad;
        float clr = learningRate / (1f + (step - 1f) * learningRateDecay);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float s = (step == 1 ? initialAccumulatorValue : sum[i]) + g * g;
            sum[i] = s;
            param[i] -= clr * g / (MathF.Sqrt(s) + epsilon);
        }
    }
}

/// <summary>Adagrad composed from <c>TensorPrimitives</c> calls (torch.optim.Adagrad's defaults).</summary>
public sealed class TensorPrimitivesAdagrad(TensorArrays arrays, Adagrad settings) : TensorPrimitivesBaseline(arrays, 1, "sum")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float initialAccumulatorValue = settings.InitialAccumulatorValue, epsilon = settings.Epsilon, learningRate = settings.LearningRate,
            learningRateDecay = settings.LearningRateDecay;
        Span<float> param = Param, sum = State(0), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            sum.Fill(initialAccumulatorValue);
        }

        // sum += g²; param −= clr·g / (√sum + ε)
        Tp.MultiplyAdd(grad, grad, sum, sum);
        Tp.Sqrt(sum, scratch);
        Tp.Add(scratch, epsilon, scratch);
        Tp.Divide(grad, scratch, scratch);
        Tp.MultiplyAdd(scratch, -learningRate / (1f + (step - 1f) * learningRateDecay), param, param);
    }
}
