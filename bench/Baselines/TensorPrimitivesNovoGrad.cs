using System;
using D = KernelGen.Bench.Baselines.Defaults.NovoGrad;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>NovoGrad composed from <c>TensorPrimitives</c> calls, the energy from <c>TensorPrimitives.SumOfSquares</c> (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesNovoGrad(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "moment")
{
    private readonly NovoGradEnergy _energy = new();

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, moment = State(0), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        _energy.Advance(step, Tp.SumOfSquares<float>(grad));
        if (step == 1)
        {
            Tp.Divide(grad, _energy.FirstDenominator, moment);
        }

        // m = β₁m + g/(√e + ε); param −= lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m
        Tp.Divide(grad, _energy.Denominator, scratch);
        Tp.MultiplyAdd(moment, D.Beta1, scratch, moment);
        Tp.MultiplyAdd(moment, -_energy.StepSize, param, param);
    }
}
