using System;

namespace KernelGen;

/// <summary>
/// ADOPT, as <c>pytorch_optimizer.ADOPT</c> 3.9.0 (Taniguchi et al., 2024, "ADOPT: Modified Adam
/// Can Converge with Any β₂ with the Optimal Rate"): g = ±grad; weight decay p = p(1 − wd·lr)
/// (under weight_decouple; wd alone under fixed_decay) or g = g + wd·p; on the first step only
/// v = g². Afterwards: n = clamp(g / max(√v, ε), −t^¼, t^¼); m = lerp(m, n, 1 − β₁); p = p − lr·m;
/// v = β₂v + (1 − β₂)g² (the second moment is updated after it is used).
/// </summary>
/// <remarks>
/// The clipping is the reference's default <c>clip_lambda</c>, step^0.25; other clip functions
/// are not offered. The lerp is torch's: a + w(b − a) when |w| &lt; ½, else b − (b − a)(1 − w).
/// </remarks>
[Optimizer]
public sealed partial class ADOPT
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decay of the first moment (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the second moment (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.9999f;

    /// <summary>Weight decay (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decay the weights directly instead of adding wd·p to the gradient (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; }

    /// <summary>Decoupled decay by wd rather than lr·wd (<c>fixed_decay</c>).</summary>
    [Hyperparameter("fixed_decay")]
    public bool FixedDecay { get; set; }

    /// <summary>The floor of the denominator (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-6f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float expAvg, ref float expAvgSq,
        float learningRate, float beta1, float beta2, float weightDecay, bool weightDecouple, bool fixedDecay,
        float epsilon, bool maximize, [Step] int step)
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

        if (step == 1)
        {
            expAvgSq += g * g;
        }
        else
        {
            float clip = MathF.Pow(step, 0.25f);
            float normed = MathF.Min(MathF.Max(g / MathF.Max(MathF.Sqrt(expAvgSq), epsilon), -clip), clip);
            float weight = 1f - beta1;
            if (MathF.Abs(weight) < 0.5f)
            {
                expAvg += weight * (normed - expAvg);
            }
            else
            {
                expAvg = normed - (normed - expAvg) * (1f - weight);
            }

            param -= learningRate * expAvg;
            expAvgSq = expAvgSq * beta2 + (1f - beta2) * g * g;
        }
    }
}
