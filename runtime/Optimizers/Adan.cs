using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using KernelGen.Training;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// Adan, as <c>pytorch_optimizer.Adan</c> 3.9.0 (Xie et al., 2022): g = c·(±grad), with c = 1, or
/// under max_grad_norm c = min(max_grad_norm / (‖all gradients‖ + ε), 1);
/// d = g − gₚ (the previous g; on the first step gₚ = c·grad, the raw gradient, so d = 0 unless
/// maximizing); m = β₁m + (1 − β₁)g; n = β₂n + (1 − β₂)d; u = β₂d + g; v = β₃v + (1 − β₃)u²;
/// δ = √v / √(1 − β₃ᵗ) + ε; p = p(1 − lr·wd) under weight_decouple;
/// p = p − lr/(1 − β₁ᵗ)·m/δ − lr·β₂/(1 − β₂ᵗ)·n/δ; p = p / (1 + lr·wd) without weight_decouple.
/// </summary>
/// <remarks>
/// <para>The previous gradient is kept negated (−gₚ), as the reference keeps it. The gradient norm of
/// max_grad_norm is over this optimizer's tensors (in the reference, over all its parameter
/// groups; here a group is an optimizer), computed once per step before the update.</para>
/// <para>A bias correction 1 − βᵗ is computed as −expm1(t·ln β), from its series while
/// t·ln β ≥ −¼: in float, 1 − βᵗ would cancel when βᵗ is near 1 (β = 0.9999 loses a quarter of its
/// digits), while the reference computes it in double.</para>
/// </remarks>
[Optimizer]
public sealed partial class Adan
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decay of the gradient average (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.98f;

    /// <summary>Decay of the gradient-difference average (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.92f;

    /// <summary>Decay of the second moment (<c>betas[2]</c>; 1 is allowed, as in the reference).</summary>
    [Hyperparameter("betas[2]", Minimum = 0, Maximum = 1)]
    public float Beta3 { get; set; } = 0.99f;

    /// <summary>Weight decay (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Multiply by 1 − lr·wd before the update instead of dividing by 1 + lr·wd after it (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; }

    /// <summary>Scale the gradients down to this global norm when above it; 0 turns it off (<c>max_grad_norm</c>).</summary>
    [Hyperparameter("max_grad_norm", Minimum = 0)]
    public float MaxGradNorm { get; set; }

    /// <summary>Added to the denominator and to the global gradient norm (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <inheritdoc/>
    internal override string? PerTensorStepRefusal => MaxGradNorm != 0f
        ? "Adan with MaxGradNorm clips every gradient by the norm of all of them, which a per-tensor step does not know before the last gradient: step it with Step(), or set MaxGradNorm to 0."
        : null;

    /// <summary>Computes the clipping factor c of this step and hands it to every tensor's rule.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected override void BeforeStep()
    {
        float clip = 1f;
        if (MaxGradNorm != 0f)
        {
            // The rule sees unscaled gradients; the norm of the loss-scaled ones is scaled back.
            float norm = GradientClipping.TotalNorm(Tensors, 2f, Path) * GradientMultiplier;
            clip = MathF.Min(MaxGradNorm / (norm + Epsilon), 1f);
        }

        // Indexed, not foreach: an interface enumerator would allocate at every step.
        IReadOnlyList<ParameterTensor> tensors = Tensors;
        for (int i = 0; i < tensors.Count; i++)
        {
            tensors[i].TensorState(0) = clip;
        }
    }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq, ref float expAvgDiff,
        ref float previousGradNegated, float learningRate, float beta1, float beta2, float beta3, float weightDecay,
        bool weightDecouple, float epsilon, bool maximize, [Step] int step, [TensorState] ref float clip)
    {
        float g = (maximize ? -grad : grad) * clip;

        // State starts at 0; the reference starts the previous gradient at −c·grad (before maximize).
        float gradDiff = (step == 1 ? -(grad * clip) : previousGradNegated) + g;
        expAvg = expAvg * beta1 + (1f - beta1) * g;
        expAvgDiff = expAvgDiff * beta2 + (1f - beta2) * gradDiff;
        float u = gradDiff * beta2 + g;
        expAvgSq = expAvgSq * beta3 + (1f - beta3) * u * u;

        // 1 − βᵗ without float cancellation (see the remarks).
        float biasCorrection1 = StepCorrections.BiasCorrection(beta1, step);
        float biasCorrection2 = StepCorrections.BiasCorrection(beta2, step);
        float biasCorrection3 = StepCorrections.BiasCorrection(beta3, step);
        float denominator = MathF.Sqrt(expAvgSq) / MathF.Sqrt(biasCorrection3) + epsilon;
        if (weightDecouple)
        {
            param *= 1f - learningRate * weightDecay;
        }

        param -= learningRate / biasCorrection1 * (expAvg / denominator);
        param -= learningRate * beta2 / biasCorrection2 * (expAvgDiff / denominator);
        if (!weightDecouple)
        {
            param /= 1f + learningRate * weightDecay;
        }

        previousGradNegated = -g;
    }
}
