using System;

namespace KernelGen;

/// <summary>
/// Yogi, as <c>pytorch_optimizer.Yogi</c> 3.9.0 (Zaheer et al., 2018): both moments start at
/// initial_accumulator; g = ±grad; weight decay p = p(1 − wd·lr) (decoupled, the default; wd alone
/// under fixed_decay) or g = g + wd·p; m = β₁m + (1 − β₁)g; v = v − (1 − β₂)·sign(v − g²)·g²;
/// p = p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε) (without the 1 − β₁ᵗ under adam_debias).
/// </summary>
/// <remarks>
/// <para>The sign is torch's: 0 for a zero and for NaN.</para>
/// <para>A bias correction 1 − βᵗ is computed as −expm1(t·ln β), from its series while
/// t·ln β ≥ −¼: in float, 1 − βᵗ would cancel when βᵗ is near 1 (β = 0.9999 loses a quarter of its
/// digits), while the reference computes it in double.</para>
/// </remarks>
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

    /// <summary>Leave the step size without the first moment's bias correction (AdamD; the reference's <c>adam_debias</c> option).</summary>
    [Hyperparameter("adam_debias")]
    public bool AdamDebias { get; set; }

    // Measured 1 to 3% slower software-pipelined than plain on this machine (docs/performance.md).
    [UpdateRule(SoftwarePipelining = false)]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq,
        float learningRate, float beta1, float beta2, float initialAccumulator, float weightDecay, bool weightDecouple,
        bool fixedDecay, float epsilon, bool maximize, bool adamDebias, [Step] int step)
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

        // 1 − βᵗ without float cancellation (see the remarks).
        float biasCorrection1 = StepCorrections.BiasCorrection(beta1, step);
        float biasCorrection2 = StepCorrections.BiasCorrection(beta2, step);
        float denominator = MathF.Sqrt(expAvgSq) / MathF.Sqrt(biasCorrection2) + epsilon;
        param -= learningRate / (adamDebias ? 1f : biasCorrection1) * (expAvg / denominator);
    }
}
