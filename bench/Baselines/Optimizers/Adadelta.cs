using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Adadelta as a user writes it by hand: one scalar loop (torch.optim.Adadelta's defaults).</summary>
public sealed class NaiveAdadelta(TensorArrays arrays, Adadelta settings) : Baseline(arrays, "squareAvg", "accDelta")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float rho = settings.Rho, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, squareAvg = State(0), accDelta = State(1);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float v = squareAvg[i] * rho + (1f - rho) * g * g;
            float delta = MathF.Sqrt(accDelta[i] + epsilon) / MathF.Sqrt(v + epsilon) * g;
            squareAvg[i] = v;
            accDelta[i] = accDelta[i] * rho + (1f - rho) * delta * delta;
            param[i] -= learningRate * delta;
        }
    }
}

/// <summary>Adadelta composed from <c>TensorPrimitives</c> calls (torch.optim.Adadelta's defaults).</summary>
public sealed class TensorPrimitivesAdadelta(TensorArrays arrays, Adadelta settings) : TensorPrimitivesBaseline(arrays, 2, "squareAvg", "accDelta")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float rho = settings.Rho, epsilon = settings.Epsilon, learningRate = settings.LearningRate;
        Span<float> param = Param, squareAvg = State(0), accDelta = State(1), std = Scratch(0), delta = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        AverageOfSquares(squareAvg, rho, grad, std);

        // Δ = √(u + ε) / √(v + ε) · g
        Tp.Add(squareAvg, epsilon, std);
        Tp.Sqrt(std, std);
        Tp.Add(accDelta, epsilon, delta);
        Tp.Sqrt(delta, delta);
        Tp.Divide(delta, std, delta);
        Tp.Multiply(delta, grad, delta);

        AverageOfSquares(accDelta, rho, delta, std);
        Tp.MultiplyAdd(delta, -learningRate, param, param);
    }
}
