using System;
using D = KernelGen.Bench.Baselines.Defaults.Adadelta;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Adadelta composed from <c>TensorPrimitives</c> calls (torch.optim.Adadelta's defaults).</summary>
public sealed class TensorPrimitivesAdadelta(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "squareAvg", "accDelta")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, squareAvg = State(0), accDelta = State(1), std = Scratch(0), delta = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        AverageOfSquares(squareAvg, D.Rho, grad, std);

        // Δ = √(u + ε) / √(v + ε) · g
        Tp.Add(squareAvg, D.Eps, std);
        Tp.Sqrt(std, std);
        Tp.Add(accDelta, D.Eps, delta);
        Tp.Sqrt(delta, delta);
        Tp.Divide(delta, std, delta);
        Tp.Multiply(delta, grad, delta);

        AverageOfSquares(accDelta, D.Rho, delta, std);
        Tp.MultiplyAdd(delta, -D.Lr, param, param);
    }
}
