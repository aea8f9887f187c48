using System;

namespace KernelGen;

/// <summary>
/// Adam with Nesterov momentum, as <c>torch.optim.NAdam</c> (PyTorch 1.13; Dozat, 2016):
/// g = grad + weight_decay·p; μₜ = β₁(1 − ½·0.96^(tψ)); Πₜ = μ₁⋯μₜ; m = β₁m + (1 − β₁)g;
/// v = β₂v + (1 − β₂)g²; d = √(v / (1 − β₂ᵗ)) + ε;
/// p = p − lr(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜμₜμₜ₊₁) · m/d.
/// </summary>
/// <remarks>
/// The second denominator is torch 1.13's single-tensor code as written,
/// <c>mu_product_next = mu_product * mu * mu_next</c> with <c>mu_product</c> already Πₜ: μₜ counts
/// twice. The paper and later torch versions use 1 − Πₜμₜ₊₁; this class follows 1.13, whose
/// trajectories it must reproduce.
/// </remarks>
[Optimizer]
public sealed partial class NAdam
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 2e-3f;

    /// <summary>Decay of the first moment, and the scale of the momentum schedule μ (torch <c>betas[0]</c>).</summary>
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

    /// <summary>ψ in the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) (torch <c>momentum_decay</c>).</summary>
    [Hyperparameter("momentum_decay", Minimum = 0)]
    public float MomentumDecay { get; set; } = 4e-3f;

    // Measured 1 to 3% slower software-pipelined than plain on this machine (docs/performance.md).
    [UpdateRule(SoftwarePipelining = false)]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq,
        float learningRate, float beta1, float beta2, float epsilon, float weightDecay, float momentumDecay,
        [Step] int step, [TensorState] ref float muProduct)
    {
        float g = grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        float mu = beta1 * (1f - 0.5f * MathF.Pow(0.96f, step * momentumDecay));
        float muNext = beta1 * (1f - 0.5f * MathF.Pow(0.96f, (step + 1f) * momentumDecay));

        // Per-tensor state starts at 0; torch's product of the μ starts at 1.
        muProduct = (step == 1 ? 1f : muProduct) * mu;
        float muProductNext = muProduct * mu * muNext; // sic: torch 1.13 (see the remarks)
        float gradStep = learningRate * (1f - mu) / (1f - muProduct);
        float avgStep = learningRate * muNext / (1f - muProductNext);

        expAvg = expAvg * beta1 + (1f - beta1) * g;
        expAvgSq = expAvgSq * beta2 + (1f - beta2) * g * g;
        float denominator = MathF.Sqrt(expAvgSq / (1f - MathF.Pow(beta2, step))) + epsilon;
        param -= gradStep * g / denominator;
        param -= avgStep * expAvg / denominator;
    }
}
