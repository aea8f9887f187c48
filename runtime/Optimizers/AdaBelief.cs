using System;

namespace KernelGen;

/// <summary>
/// AdaBelief, as <c>pytorch_optimizer.AdaBelief</c> 3.9.0 (Zhuang et al., 2020): g = ±grad; weight
/// decay p = p(1 − wd·lr) (decoupled; wd alone under fixed_decay) or g = g + wd·p;
/// m = β₁m + (1 − β₁)g; s = β₂s + (1 − β₂)(g − m)² + ε; d = √(ŝ + 10⁻¹⁵) + ε with ŝ the running
/// maximum of s under ams_bound, else s; p = p − lr/(1 − β₁ᵗ) · m / (d / √(1 − β₂ᵗ)) (without the
/// 1 − β₁ᵗ under adam_debias).
/// Under rectify the step is RAdam's: ρ∞ = 2/(1 − β₂) − 1, ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ); when
/// ρₜ ≥ n_sma_threshold, p = p − lr·r/(1 − β₁ᵗ) · m/d with
/// r = √((1 − β₂ᵗ)(ρₜ − 4)/(ρ∞ − 4)·(ρₜ − 2)/ρₜ·ρ∞/(ρ∞ − 2)); below it, p = p − lr/(1 − β₁ᵗ)·m under
/// degenerated_to_sgd, else no change.
/// </summary>
/// <remarks>
/// <para>ρₜ is computed as <see cref="RAdam"/> does (a series where the difference would cancel in
/// float). The reference computes the uniform factors in double; here they are float, within the
/// conformance tolerance.</para>
/// <para>A bias correction 1 − βᵗ is computed as −expm1(t·ln β), from its series while
/// t·ln β ≥ −¼: in float, 1 − βᵗ would cancel when βᵗ is near 1 (β = 0.9999 loses a quarter of its
/// digits), while the reference computes it in double.</para>
/// </remarks>
[Optimizer]
public sealed partial class AdaBelief
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decay of the first moment (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the variance of the gradient around its mean (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Weight decay (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decay the weights directly, as AdamW, instead of adding wd·p to the gradient (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; } = true;

    /// <summary>Decoupled decay by wd rather than lr·wd (<c>fixed_decay</c>).</summary>
    [Hyperparameter("fixed_decay")]
    public bool FixedDecay { get; set; }

    /// <summary>Rectify the step as RAdam does (<c>rectify</c>).</summary>
    [Hyperparameter("rectify")]
    public bool Rectify { get; set; }

    /// <summary>The ρₜ from which the rectified step is taken (<c>n_sma_threshold</c>).</summary>
    [Hyperparameter("n_sma_threshold")]
    public float RectifyThreshold { get; set; } = 5f;

    /// <summary>Below the threshold, take an SGD-with-momentum step instead of none (<c>degenerated_to_sgd</c>).</summary>
    [Hyperparameter("degenerated_to_sgd")]
    public bool DegeneratedToSgd { get; set; } = true;

    /// <summary>Use the running maximum of the variance (<c>ams_bound</c>).</summary>
    [Hyperparameter("ams_bound")]
    public bool AmsBound { get; set; }

    /// <summary>Added to the variance at every step and to the denominator (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-16f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>Leave the step size without the first moment's bias correction (AdamD; the reference's <c>adam_debias</c> option).</summary>
    [Hyperparameter("adam_debias")]
    public bool AdamDebias { get; set; }

    private static readonly DynamicQuantizationMap[] s_stateQuantizationMaps =
        { DynamicQuantizationMap.Signed, DynamicQuantizationMap.Unsigned, DynamicQuantizationMap.Unsigned };

    /// <inheritdoc/>
    internal override DynamicQuantizationMap[] StateQuantizationMaps => s_stateQuantizationMaps;

    /// <inheritdoc/>
    internal override bool UsesState(int index) => index != 2 || AmsBound; // the maximum of second moments

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgVar, ref float maxExpAvgVar,
        float learningRate, float beta1, float beta2, float weightDecay, bool weightDecouple, bool fixedDecay, bool rectify,
        float rectifyThreshold, bool degeneratedToSgd, bool amsBound, float epsilon, bool maximize, bool adamDebias, [Step] int step)
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

        expAvg = expAvg * beta1 + (1f - beta1) * g;
        float residual = g - expAvg;
        expAvgVar = expAvgVar * beta2 + (1f - beta2) * residual * residual + epsilon;
        float variance;
        if (amsBound)
        {
            maxExpAvgVar = MathF.Max(maxExpAvgVar, expAvgVar);
            variance = maxExpAvgVar;
        }
        else
        {
            variance = expAvgVar;
        }

        // The reference adds 1e-15 under the root (its apply_ams_bound), then eps.
        float denominator = MathF.Sqrt(variance + 1e-15f) + epsilon;

        // 1 − βᵗ without float cancellation (see the remarks).
        float biasCorrection1 = StepCorrections.BiasCorrection(beta1, step);
        float biasCorrection2 = StepCorrections.BiasCorrection(beta2, step);
        float debias = adamDebias ? 1f : biasCorrection1;
        if (!rectify)
        {
            param -= learningRate / debias * (expAvg / (denominator / MathF.Sqrt(biasCorrection2)));
        }
        else
        {
            float rhoInfinity = 2f / (1f - beta2) - 1f;

            // As RAdam: the series where ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ) would cancel in float.
            float rho = StepCorrections.Rho(beta2, step, rhoInfinity, MathF.Pow(beta2, step), biasCorrection2);
            if (rho >= rectifyThreshold)
            {
                float rectification = MathF.Sqrt(biasCorrection2 * (rho - 4f) / (rhoInfinity - 4f) * (rho - 2f) / rho * rhoInfinity / (rhoInfinity - 2f));
                param -= learningRate * rectification / debias * (expAvg / denominator);
            }
            else if (degeneratedToSgd && learningRate / debias > 0f)
            {
                // The reference steps only when its step size is positive (an SGD step under degenerated_to_sgd).
                param -= learningRate / debias * expAvg;
            }
        }
    }
}
