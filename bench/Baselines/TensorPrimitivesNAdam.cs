using System;
using D = KernelGen.Bench.Baselines.Defaults.NAdam;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>NAdam composed from <c>TensorPrimitives</c> calls (torch.optim.NAdam 1.13's defaults).</summary>
public sealed class TensorPrimitivesNAdam(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgSq")
{
    private readonly NAdamMomentum _momentum = new();

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), denominator = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        _momentum.Advance(step);
        Average(expAvg, D.Beta1, grad);
        AverageOfSquares(expAvgSq, D.Beta2, grad, scratch);

        // d = √(v / (1 − β₂ᵗ)) + ε; param −= gradStep·g/d + averageStep·m/d
        Tp.Divide(expAvgSq, 1f - MathF.Pow(D.Beta2, step), denominator);
        Tp.Sqrt(denominator, denominator);
        Tp.Add(denominator, D.Eps, denominator);
        Tp.Divide(grad, denominator, scratch);
        Tp.MultiplyAdd(scratch, -_momentum.GradStep, param, param);
        Tp.Divide(expAvg, denominator, scratch);
        Tp.MultiplyAdd(scratch, -_momentum.AverageStep, param, param);
    }
}
