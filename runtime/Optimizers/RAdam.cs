using System;

namespace KernelGen;

/// <summary>
/// Rectified Adam, as <c>torch.optim.RAdam</c> (PyTorch 1.13; Liu et al., 2020):
/// g = grad + weight_decay·p; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ);
/// ρ∞ = 2/(1 − β₂) − 1; ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ). While ρₜ ≤ 5, p = p − lr·m̂; after,
/// p = p − lr·m̂ · √(1 − β₂ᵗ)/(√v + ε) · r with r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)).
/// </summary>
/// <remarks>
/// ρₜ is the difference of two numbers close to 2/(1 − β₂) (torch computes it in double); in float
/// that difference would lose most of its digits when β₂ is close to 1. While t·ln(1/β₂) ≤ 1 the
/// rule evaluates it instead from its series in L = −ln β₂ and x = tL, which has no cancellation:
/// ρₜ = coth(L/2) − 2t/(eˣ − 1) = t(1 − x/6 + x³/360 − x⁵/15120 + x⁷/604800) + L/6 − L³/360 + …,
/// exact to float precision there; beyond, torch's formula loses at most a few bits.
/// </remarks>
[Optimizer]
public sealed partial class RAdam
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decay of the first moment (torch <c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the second moment (torch <c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Added to the denominator for stability (torch <c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq,
        float learningRate, float beta1, float beta2, float epsilon, float weightDecay, [Step] int step)
    {
        float g = grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        expAvg = expAvg * beta1 + (1f - beta1) * g;
        expAvgSq = expAvgSq * beta2 + (1f - beta2) * g * g;
        float biasCorrection1 = 1f - MathF.Pow(beta1, step);
        float beta2Power = MathF.Pow(beta2, step);
        float biasCorrection2 = 1f - beta2Power;
        float rhoInfinity = 2f / (1f - beta2) - 1f;

        // See the remarks: the series where torch's formula would cancel, torch's formula elsewhere.
        float rho = StepCorrections.Rho(beta2, step, rhoInfinity, beta2Power, biasCorrection2);

        float biasCorrectedAvg = expAvg / biasCorrection1;
        if (rho > 5f)
        {
            float rectification = MathF.Sqrt((rho - 4f) * (rho - 2f) * rhoInfinity / ((rhoInfinity - 4f) * (rhoInfinity - 2f) * rho));
            float adaptiveLearningRate = MathF.Sqrt(biasCorrection2) / (MathF.Sqrt(expAvgSq) + epsilon);
            param -= biasCorrectedAvg * learningRate * adaptiveLearningRate * rectification;
        }
        else
        {
            param -= biasCorrectedAvg * learningRate;
        }
    }
}
