using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// NovoGrad as a user writes it by hand: a first loop sums the squared gradient, the per-tensor
/// second moment is updated from it, then one scalar loop steps (pytorch_optimizer's defaults: no
/// weight decay, no gradient averaging).
/// </summary>
public sealed class NaiveNovoGrad(TensorArrays arrays, NovoGrad settings) : Baseline(arrays, "moment")
{
    private readonly NovoGradEnergy _energy = new(settings);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1;
        Span<float> param = Param, moment = State(0);
        ReadOnlySpan<float> grad = Grad;
        double squares = 0;
        for (int i = 0; i < param.Length; i++)
        {
            squares += grad[i] * grad[i];
        }

        _energy.Advance(step, (float)squares);
        float firstDenominator = _energy.FirstDenominator;
        float denominator = _energy.Denominator;
        float stepSize = _energy.StepSize;
        for (int i = 0; i < param.Length; i++)
        {
            float m = step == 1 ? grad[i] / firstDenominator : moment[i];
            m = m * beta1 + grad[i] / denominator;
            moment[i] = m;
            param[i] -= stepSize * m;
        }
    }
}

/// <summary>NovoGrad composed from <c>TensorPrimitives</c> calls, the energy from <c>TensorPrimitives.SumOfSquares</c> (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesNovoGrad(TensorArrays arrays, NovoGrad settings) : TensorPrimitivesBaseline(arrays, 1, "moment")
{
    private readonly NovoGradEnergy _energy = new(settings);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1;
        Span<float> param = Param, moment = State(0), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        _energy.Advance(step, Tp.SumOfSquares<float>(grad));
        if (step == 1)
        {
            Tp.Divide(grad, _energy.FirstDenominator, moment);
        }

        // m = β₁m + g/(√e + ε); param −= lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m
        Tp.Divide(grad, _energy.Denominator, scratch);
        Tp.MultiplyAdd(moment, beta1, scratch, moment);
        Tp.MultiplyAdd(moment, -_energy.StepSize, param, param);
    }
}

/// <summary>
/// NovoGrad's per-tensor second moment e of the gradient's energy s = Σg² (e = s on the first
/// step, then e = β₂e + (1 − β₂)s) and the step's uniform factors.
/// </summary>
internal sealed class NovoGradEnergy(NovoGrad settings)
{
    private float _average;

    /// <summary>√s + ε, the first step's initial moment is g divided by it.</summary>
    public float FirstDenominator { get; private set; }

    /// <summary>√e + ε.</summary>
    public float Denominator { get; private set; }

    /// <summary>lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ).</summary>
    public float StepSize { get; private set; }

    /// <summary>Advances to step <paramref name="step"/> with this step's energy.</summary>
    public void Advance(int step, float energy)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, eps = settings.Epsilon;
        _average = (step == 1 ? energy : _average) * beta2 + (1f - beta2) * energy;
        FirstDenominator = MathF.Sqrt(energy) + eps;
        Denominator = MathF.Sqrt(_average) + eps;
        StepSize = settings.LearningRate * MathF.Sqrt(1f - MathF.Pow(beta2, step)) / (1f - MathF.Pow(beta1, step));
    }
}
