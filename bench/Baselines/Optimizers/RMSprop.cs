using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>RMSprop as a user writes it by hand: one scalar loop (torch.optim.RMSprop's defaults: not centered, no momentum).</summary>
public sealed class NaiveRMSprop(TensorArrays arrays, RMSprop settings) : Baseline(arrays, "squareAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float alpha = settings.Alpha, learningRate = settings.LearningRate, epsilon = settings.Epsilon;
        Span<float> param = Param, squareAvg = State(0);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float v = squareAvg[i] * alpha + (1f - alpha) * g * g;
            squareAvg[i] = v;
            param[i] -= learningRate * g / (MathF.Sqrt(v) + epsilon);
        }
    }
}

/// <summary>RMSprop composed from <c>TensorPrimitives</c> calls (torch.optim.RMSprop's defaults: not centered, no momentum).</summary>
public sealed class TensorPrimitivesRMSprop(TensorArrays arrays, RMSprop settings) : TensorPrimitivesBaseline(arrays, 1, "squareAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float alpha = settings.Alpha, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, squareAvg = State(0), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        AverageOfSquares(squareAvg, alpha, grad, scratch);

        // param −= lr·g / (√v + ε)
        Tp.Sqrt(squareAvg, scratch);
        Tp.Add(scratch, epsilon, scratch);
        Tp.Divide(grad, scratch, scratch);
        Tp.MultiplyAdd(scratch, -learningRate, param, param);
    }
}
