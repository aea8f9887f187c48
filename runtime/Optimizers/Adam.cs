using System;

namespace KernelGen;

/// <summary>
/// Adam, as <c>torch.optim.Adam</c> (PyTorch 1.13; Kingma and Ba, 2015):
/// g = ±grad + weight_decay·p; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
/// p = p − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε), with v̂ = max of all v so far under amsgrad, else v.
/// </summary>
[Optimizer]
public sealed partial class Adam
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

    /// <summary>Use the maximum of past second moments (AMSGrad; torch <c>amsgrad</c>).</summary>
    [Hyperparameter("amsgrad")]
    public bool Amsgrad { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    private static readonly DynamicQuantizationMap[] s_stateQuantizationMaps =
        { DynamicQuantizationMap.Signed, DynamicQuantizationMap.Unsigned, DynamicQuantizationMap.Unsigned };

    /// <inheritdoc/>
    internal override DynamicQuantizationMap[] StateQuantizationMaps => s_stateQuantizationMaps;

    /// <inheritdoc/>
    internal override bool UsesState(int index) => index != 2 || Amsgrad; // the maximum of second moments

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq, ref float maxExpAvgSq,
        float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool amsgrad, bool maximize, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        expAvg = expAvg * beta1 + (1f - beta1) * g;
        expAvgSq = expAvgSq * beta2 + (1f - beta2) * g * g;
        float stepSize = learningRate / (1f - MathF.Pow(beta1, step));
        float biasCorrection2Sqrt = MathF.Sqrt(1f - MathF.Pow(beta2, step));
        float denominator;
        if (amsgrad)
        {
            maxExpAvgSq = MathF.Max(maxExpAvgSq, expAvgSq);
            denominator = MathF.Sqrt(maxExpAvgSq) / biasCorrection2Sqrt + epsilon;
        }
        else
        {
            denominator = MathF.Sqrt(expAvgSq) / biasCorrection2Sqrt + epsilon;
        }

        param -= stepSize * expAvg / denominator;
    }
}
