using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// NAdam's momentum schedule, per tensor: μₜ = β₁(1 − ½·0.96^(tψ)) and the product Πₜ = μ₁⋯μₜ,
/// giving the two step sizes of torch 1.13's update (its second denominator counts μₜ twice, as the rule does).
/// </summary>
internal sealed class NAdamMomentum
{
    private float _muProduct;

    /// <summary>lr(1 − μₜ)/(1 − Πₜ), the step along g/d.</summary>
    public float GradStep { get; private set; }

    /// <summary>lr·μₜ₊₁/(1 − Πₜμₜμₜ₊₁), the step along m/d.</summary>
    public float AverageStep { get; private set; }

    /// <summary>Advances to step <paramref name="step"/> (1 on the first).</summary>
    public void Advance(int step)
    {
        const float beta1 = Defaults.NAdam.Beta1, decay = Defaults.NAdam.MomentumDecay, lr = Defaults.NAdam.Lr;
        float mu = beta1 * (1f - 0.5f * MathF.Pow(0.96f, step * decay));
        float muNext = beta1 * (1f - 0.5f * MathF.Pow(0.96f, (step + 1f) * decay));
        _muProduct = (step == 1 ? 1f : _muProduct) * mu;
        GradStep = lr * (1f - mu) / (1f - _muProduct);
        AverageStep = lr * muNext / (1f - _muProduct * mu * muNext);
    }
}

/// <summary>ASGD's per-tensor η and μ: η = lr and μ = 1 on the first step, then η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t − t₀) for the next.</summary>
internal sealed class AsgdSchedule
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
            Eta = Defaults.ASGD.Lr;
            Mu = 1f;
        }
    }

    /// <summary>Computes the next step's values after step <paramref name="step"/>.</summary>
    public void End(int step)
    {
        Eta = Defaults.ASGD.Lr / MathF.Pow(1f + Defaults.ASGD.Lambda * Defaults.ASGD.Lr * step, Defaults.ASGD.Alpha);
        Mu = 1f / MathF.Max(1f, step - Defaults.ASGD.T0);
    }
}

/// <summary>
/// The schedule-free averaging weights, per tensor (r = 0, weight_lr_power = 2, no warm-up):
/// lr_max = max(lr, previous lr_max); w = tʳ·lr_maxᵖ; W = W + w; c = w/W.
/// </summary>
internal sealed class ScheduleFreeWeights(float learningRate)
{
    private float _lrMax;
    private float _weightSum;

    /// <summary>The learning rate of this step (no warm-up: the learning rate).</summary>
    public float LearningRate => learningRate;

    /// <summary>c, the weight of z in this step's interpolation.</summary>
    public float Checkpoint { get; private set; }

    /// <summary>lr(β(1 − c) − 1), the step of y along the update (β: β₁ or the momentum).</summary>
    public float YStep(float beta) => learningRate * (beta * (1f - Checkpoint) - 1f);

    /// <summary>Starts step <paramref name="step"/> (1 on the first, when z starts as the parameter): computes c.</summary>
    public void Start(int step, ReadOnlySpan<float> param, Span<float> z)
    {
        if (step == 1)
        {
            param.CopyTo(z);
        }

        _lrMax = MathF.Max(learningRate, step == 1 ? -1f : _lrMax);
        float weight = MathF.Pow(step, 0f) * MathF.Pow(_lrMax, 2f);
        _weightSum += weight;
        Checkpoint = _weightSum != 0f ? weight / _weightSum : 0f;
    }
}

/// <summary>
/// NovoGrad's per-tensor second moment e of the gradient's energy s = Σg² (e = s on the first
/// step, then e = β₂e + (1 − β₂)s) and the step's uniform factors.
/// </summary>
internal sealed class NovoGradEnergy
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
        const float beta1 = Defaults.NovoGrad.Beta1, beta2 = Defaults.NovoGrad.Beta2, eps = Defaults.NovoGrad.Eps;
        _average = (step == 1 ? energy : _average) * beta2 + (1f - beta2) * energy;
        FirstDenominator = MathF.Sqrt(energy) + eps;
        Denominator = MathF.Sqrt(_average) + eps;
        StepSize = Defaults.NovoGrad.Lr * MathF.Sqrt(1f - MathF.Pow(beta2, step)) / (1f - MathF.Pow(beta1, step));
    }
}
