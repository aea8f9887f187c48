using System;

namespace KernelGen;

/// <summary>
/// Adamax, the infinity-norm variant of Adam, as <c>torch.optim.Adamax</c> (PyTorch 1.13; Kingma
/// and Ba, 2015): g = ±grad + weight_decay·p; m = β₁m + (1 − β₁)g; u = max(β₂u, |g| + ε);
/// p = p − lr/(1 − β₁ᵗ) · m/u.
/// </summary>
[Optimizer]
public sealed partial class Adamax
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 2e-3f;

    /// <summary>Decay of the first moment (torch <c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the infinity norm (torch <c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Added to |g| before the maximum, so the norm is never 0 (torch <c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expInf,
        float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool maximize, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        expAvg = expAvg * beta1 + (1f - beta1) * g;
        expInf = MathF.Max(expInf * beta2, MathF.Abs(g) + epsilon);
        float clr = learningRate / (1f - MathF.Pow(beta1, step));
        param -= clr * expAvg / expInf;
    }
}
