using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// LAMB, as <c>pytorch_optimizer.Lamb</c> 3.9.0 (You et al., 2020): g = ±grad;
/// m = β₁m + β₃g (β₃ = 1 − β₁ with grad_averaging, else 1); v = β₂v + (1 − β₂)g²;
/// p = p(1 − weight_decay·lr) (decoupled); d = m/(√v + ε); s = lr/(1 − β₁ᵗ);
/// φ = min(‖p‖, 10), ψ = ‖d‖; r = 1 if φ = 0 or ψ = 0 (or adam), else φ/(ψ + ε); p = p − s·r·d.
/// The two norms are per-tensor reductions: the kernel makes a reducing pass, then the update.
/// </summary>
/// <remarks>
/// <para>
/// Rectify (RAdam's rule, as the reference writes it): with n = ρₜ ≥ n_sma_threshold,
/// s = lr·rₜ/(1 − β₁ᵗ) and d = m/(√v + ε); below it d = m and rₜ = 1 with degenerated_to_sgd,
/// else −1 (the reference then steps along +m; it does not skip). The update whose norm ψ is taken
/// is then p − s·d, the parameter included, as the reference clones p into it. ρₜ is evaluated
/// as in <see cref="RAdam"/> (its series where torch's formula would cancel in float).
/// </para>
/// <para>
/// Reproduced as the reference does it: weight decay applies only when weight_decouple is on
/// (the reference passes no gradient to its L2 branch, so weight_decouple = false decays
/// nothing); adam_debias drops the 1/(1 − β₁ᵗ); adanorm has no effect (the reference updates a
/// copy of its gradient-norm average, <c>mul</c> instead of <c>mul_</c>, so the average stays 0
/// and the gradient is never rescaled), and neither has adanorm_r; max_grad_norm is read only
/// by pre_norm.
/// </para>
/// <para>
/// Refused: pre_norm divides every gradient by a factor of the global gradient norm over all
/// tensors of all groups, which a per-tensor rule cannot compute; a step with
/// <see cref="PreNorm"/> set throws <see cref="ArgumentException"/> instead of ignoring it.
/// Clip or scale the gradients before the step (<c>GradientClipping</c>) for that purpose.
/// </para>
/// </remarks>
[Optimizer]
public sealed partial class Lamb
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decay of the first moment (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the second moment (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Weight decay, decoupled: p = p(1 − weight_decay·lr) before the norms (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decoupled weight decay (<c>weight_decouple</c>); when off, the reference applies none at all.</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; } = true;

    /// <summary>Decay by weight_decay rather than weight_decay·lr (<c>fixed_decay</c>).</summary>
    [Hyperparameter("fixed_decay")]
    public bool FixedDecay { get; set; }

    /// <summary>The RAdam-style rectified update (<c>rectify</c>).</summary>
    [Hyperparameter("rectify")]
    public bool Rectify { get; set; }

    /// <summary>Under rectify, below the threshold: step along m with rₜ = 1 instead of −1 (<c>degenerated_to_sgd</c>).</summary>
    [Hyperparameter("degenerated_to_sgd")]
    public bool DegeneratedToSgd { get; set; }

    /// <summary>Under rectify, the ρₜ from which the adaptive update runs (<c>n_sma_threshold</c>).</summary>
    [Hyperparameter("n_sma_threshold")]
    public float RectifyThreshold { get; set; } = 5f;

    /// <summary>Scale the gradient by 1 − β₁ in the first moment (<c>grad_averaging</c>).</summary>
    [Hyperparameter("grad_averaging")]
    public bool GradAveraging { get; set; } = true;

    /// <summary>The reference reads it only under pre_norm, which is refused: no effect (<c>max_grad_norm</c>).</summary>
    [Hyperparameter("max_grad_norm", Minimum = 0)]
    public float MaxGradNorm { get; set; } = 1f;

    /// <summary>Trust ratio always 1: Adam with LAMB's other choices (<c>adam</c>).</summary>
    [Hyperparameter("adam")]
    public bool Adam { get; set; }

    /// <summary>Pre-normalization by the global gradient norm (<c>pre_norm</c>): refused when set, see the remarks.</summary>
    [Hyperparameter("pre_norm")]
    public bool PreNorm { get; set; }

    /// <summary>Added to the denominator and to the update norm (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-6f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>AdamD: no 1/(1 − β₁ᵗ) in the step size (<c>adam_debias</c>).</summary>
    [Hyperparameter("adam_debias")]
    public bool AdamDebias { get; set; }

    /// <summary>Accepted for the reference's sake; no effect there, so none here (<c>adanorm</c>; see the remarks).</summary>
    [Hyperparameter("adanorm")]
    public bool Adanorm { get; set; }

    /// <summary>The decay of adanorm's average; no effect, as <see cref="Adanorm"/> (<c>adanorm_r</c>).</summary>
    [Hyperparameter("adanorm_r")]
    public float AdanormR { get; set; } = 0.95f;

    /// <summary>Refuses what a per-tensor rule cannot compute (see the remarks).</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected override void ValidateOptions()
    {
        if (PreNorm)
        {
            throw new ArgumentException(
                "Lamb's pre_norm divides the gradients by a factor of the global gradient norm over all tensors, which a per-tensor update rule cannot compute; " +
                "clip or scale the gradients before the step instead (GradientClipping).",
                nameof(PreNorm));
        }
    }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq,
        float learningRate, float beta1, float beta2, float weightDecay, bool weightDecouple, bool fixedDecay,
        bool rectify, bool degeneratedToSgd, float rectifyThreshold, bool gradAveraging, bool adam, float epsilon,
        bool maximize, bool adamDebias, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        expAvg = expAvg * beta1 + (gradAveraging ? 1f - beta1 : 1f) * g;
        expAvgSq = expAvgSq * beta2 + (1f - beta2) * g * g;

        // The reference decays before it takes the parameter's norm.
        if (weightDecouple)
        {
            param *= 1f - weightDecay * (fixedDecay ? 1f : learningRate);
        }

        // ρₜ (the reference's n_sma) as RAdam evaluates it: the series where the formula cancels.
        float beta2Power = MathF.Pow(beta2, step);
        float rhoInfinity = 2f / (1f - beta2) - 1f;
        float rho = StepCorrections.Rho(beta2, step, rhoInfinity, beta2Power, 1f - beta2Power);
        bool adaptive = !rectify || rho >= rectifyThreshold;
        float rectification = adaptive
            ? MathF.Sqrt((1f - beta2Power) * (rho - 4f) / (rhoInfinity - 4f) * (rho - 2f) / rho * rhoInfinity / (rhoInfinity - 2f))
            : degeneratedToSgd ? 1f : -1f;
        float stepSize = rectify ? learningRate * rectification : learningRate;
        if (!adamDebias)
        {
            stepSize /= 1f - MathF.Pow(beta1, step);
        }

        float direction = adaptive ? expAvg / (MathF.Sqrt(expAvgSq) + epsilon) : expAvg;
        float update = rectify ? param - stepSize * direction : direction;

        float weightNorm = MathF.Min(KernelMath.Norm(param), 10f);
        float updateNorm = KernelMath.Norm(update);
        float trustRatio = adam || weightNorm == 0f || updateNorm == 0f ? 1f : weightNorm / (updateNorm + epsilon);
        param -= stepSize * trustRatio * direction;
    }
}
