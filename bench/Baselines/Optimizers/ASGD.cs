using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// ASGD as a user writes it by hand: η and μ kept per tensor, one scalar loop (torch.optim.ASGD's
/// defaults: until t₀ = 10⁶ steps μ = 1 and the average is a copy of the parameter).
/// </summary>
public sealed class NaiveASGD(TensorArrays arrays, ASGD settings) : Baseline(arrays, "average")
{
    private readonly AsgdSchedule _schedule = new(settings);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float lambda = settings.Lambda;
        Span<float> param = Param, average = State(0);
        ReadOnlySpan<float> grad = Grad;
        _schedule.Begin(step);
        float eta = _schedule.Eta;
        float mu = _schedule.Mu;
        float decay = 1f - lambda * eta;
        for (int i = 0; i < param.Length; i++)
        {
            float p = param[i] * decay - eta * grad[i];
            param[i] = p;
            average[i] = mu == 1f ? p : average[i] + (p - average[i]) * mu;
        }

        _schedule.End(step);
    }
}

/// <summary>ASGD composed from <c>TensorPrimitives</c> calls (torch.optim.ASGD's defaults: the average is a copy of the parameter until t₀).</summary>
public sealed class TensorPrimitivesASGD(TensorArrays arrays, ASGD settings) : TensorPrimitivesBaseline(arrays, 1, "average")
{
    private readonly AsgdSchedule _schedule = new(settings);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float lambda = settings.Lambda;
        Span<float> param = Param, average = State(0), scratch = Scratch(0);
        _schedule.Begin(step);
        Tp.Multiply(param, 1f - lambda * _schedule.Eta, param);
        Tp.MultiplyAdd(Grad, -_schedule.Eta, param, param);
        if (_schedule.Mu == 1f)
        {
            param.CopyTo(average);
        }
        else
        {
            Tp.Subtract(param, average, scratch);
            Tp.MultiplyAdd(scratch, _schedule.Mu, average, average);
        }

        _schedule.End(step);
    }
}

/// <summary>ASGD's per-tensor η and μ: η = lr and μ = 1 on the first step, then η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t − t₀) for the next.</summary>
internal sealed class AsgdSchedule(ASGD settings)
{
    /// <summary>The step size of this step.</summary>
    public float Eta { get; private set; }

    /// <summary>The averaging weight of this step (1: the average is the parameter).</summary>
    public float Mu { get; private set; }

    /// <summary>Sets the first step's values; nothing on later steps.</summary>
    public void Begin(int step)
    {
        if (step == 1)
        {
            Eta = settings.LearningRate;
            Mu = 1f;
        }
    }

    /// <summary>Computes the next step's values after step <paramref name="step"/>.</summary>
    public void End(int step)
    {
        Eta = settings.LearningRate / MathF.Pow(1f + settings.Lambda * settings.LearningRate * step, settings.Alpha);
        Mu = 1f / MathF.Max(1f, step - settings.AveragingStart);
    }
}
