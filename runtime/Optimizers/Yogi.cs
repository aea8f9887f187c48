using System;

namespace KernelGen;

/// <summary>
/// Yogi, as <c>pytorch_optimizer.Yogi</c> 3.9.0 (Zaheer et al., 2018): both moments start at
/// initial_accumulator; g = ±grad; weight decay p = p(1 − wd·lr) (decoupled, the default; wd alone
/// under fixed_decay) or g = g + wd·p; m = β₁m + (1 − β₁)g; v = v − (1 − β₂)·sign(v − g²)·g²;
/// p = p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
/// <remarks>The sign is torch's: 0 for a zero and for NaN.</remarks>
[Optimizer]
public sealed partial class Yogi
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-2f;

    /// <summary>Decay of the first moment (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>The rate of the additive second-moment update (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>The value both moments start at (<c>initial_accumulator</c>).</summary>
    [Hyperparameter("initial_accumulator")]
    public float InitialAccumulator { get; set; } = 1e-6f;

    /// <summary>Weight decay (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decay the weights directly instead of adding wd·p to the gradient (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; } = true;

    /// <summary>Decoupled decay by wd rather than lr·wd (<c>fixed_decay</c>).</summary>
    [Hyperparameter("fixed_decay")]
    public bool FixedDecay { get; set; }

    /// <summary>Added to the denominator (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-3f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq,
        float learningRate, float beta1, float beta2, float initialAccumulator, float weightDecay, bool weightDecouple,
        bool fixedDecay, float epsilon, bool maximize, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        if (weightDecouple)
        {
            param *= 1f - weightDecay * (fixedDecay ? 1f : learningRate);
        }
        else if (weightDecay > 0f)
        {
            g += weightDecay * param;
        }

        // State starts at 0; the reference fills both moments with initial_accumulator.
        float m = step == 1 ? initialAccumulator : expAvg;
        float v = step == 1 ? initialAccumulator : expAvgSq;
        float g2 = g * g;
        expAvg = m * beta1 + (1f - beta1) * g;
        float difference = v - g2;
        float sign = difference > 0f ? 1f : difference < 0f ? -1f : 0f;
        expAvgSq = v + -(1f - beta2) * sign * g2;
        float denominator = MathF.Sqrt(expAvgSq) / MathF.Sqrt(1f - MathF.Pow(beta2, step)) + epsilon;
        param -= learningRate / (1f - MathF.Pow(beta1, step)) * (expAvg / denominator);
    }
}
