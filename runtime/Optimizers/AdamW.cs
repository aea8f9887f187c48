using System;

namespace KernelGen;

/// <summary>
/// Adam with decoupled weight decay, as <c>torch.optim.AdamW</c> (PyTorch 1.13; Loshchilov and
/// Hutter, 2019): p = p·(1 − lr·weight_decay), then the Adam update of <see cref="Adam"/> with the
/// raw gradient.
/// </summary>
[Optimizer]
public sealed partial class AdamW
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

    /// <summary>Decoupled weight decay (torch <c>weight_decay</c>, default 0.01).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; } = 1e-2f;

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
        param *= 1f - learningRate * weightDecay;
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
