using System;
using D = KernelGen.Bench.Baselines.Defaults.NovoGrad;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// NovoGrad as a user writes it by hand: a first loop sums the squared gradient, the per-tensor
/// second moment is updated from it, then one scalar loop steps (pytorch_optimizer's defaults: no
/// weight decay, no gradient averaging).
/// </summary>
public sealed class NaiveNovoGrad(TensorArrays arrays) : Baseline(arrays, "moment")
{
    private readonly NovoGradEnergy _energy = new();

    /// <inheritdoc/>
    public override void Step(int step)
    {
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
            m = m * D.Beta1 + grad[i] / denominator;
            moment[i] = m;
            param[i] -= stepSize * m;
        }
    }
}
