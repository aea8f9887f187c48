namespace KernelGen;

/// <summary>
/// Lion, as <c>pytorch_optimizer.Lion</c> 3.9.0 (Chen et al., 2023, "Symbolic Discovery of
/// Optimization Algorithms"): g = ±grad; weight decay p = p(1 − wd·lr) (decoupled; wd alone under
/// fixed_decay) or g = g + wd·p; u = sign(β₁m + (1 − β₁)g); m = β₂m + (1 − β₂)g; p = p − lr·u.
/// </summary>
/// <remarks>The sign is torch's: 0 for a zero and for NaN.</remarks>
[Optimizer]
public sealed partial class Lion
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-4f;

    /// <summary>The interpolation between momentum and gradient whose sign is the update (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the momentum (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.99f;

    /// <summary>Weight decay (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decay the weights directly instead of adding wd·p to the gradient (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; } = true;

    /// <summary>Decoupled decay by wd rather than lr·wd (<c>fixed_decay</c>).</summary>
    [Hyperparameter("fixed_decay")]
    public bool FixedDecay { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    private static readonly DynamicQuantizationMap[] s_stateQuantizationMaps = { DynamicQuantizationMap.Signed };

    /// <inheritdoc/>
    internal override DynamicQuantizationMap[] StateQuantizationMaps => s_stateQuantizationMaps;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg,
        float learningRate, float beta1, float beta2, float weightDecay, bool weightDecouple, bool fixedDecay, bool maximize)
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

        float interpolated = expAvg * beta1 + (1f - beta1) * g;
        float sign = interpolated > 0f ? 1f : interpolated < 0f ? -1f : 0f;
        expAvg = expAvg * beta2 + (1f - beta2) * g;
        param -= learningRate * sign;
    }
}
