using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// ASGD as a user writes it by hand: η and μ kept per tensor, one scalar loop (torch.optim.ASGD's
/// defaults: until t₀ = 10⁶ steps μ = 1 and the average is a copy of the parameter).
/// </summary>
public sealed class NaiveASGD(TensorArrays arrays) : Baseline(arrays, "average")
{
    private readonly AsgdSchedule _schedule = new();

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, average = State(0);
        ReadOnlySpan<float> grad = Grad;
        _schedule.Begin(step);
        float eta = _schedule.Eta;
        float mu = _schedule.Mu;
        float decay = 1f - Defaults.ASGD.Lambda * eta;
        for (int i = 0; i < param.Length; i++)
        {
            float p = param[i] * decay - eta * grad[i];
            param[i] = p;
            average[i] = mu == 1f ? p : average[i] + (p - average[i]) * mu;
        }

        _schedule.End(step);
    }
}
