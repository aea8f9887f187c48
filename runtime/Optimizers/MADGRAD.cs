using System;

namespace KernelGen;

/// <summary>
/// MADGRAD, as <c>pytorch_optimizer.MADGRAD</c> 3.9.0 (Defazio and Jelassi, 2021): g = ±grad
/// (+ wd·p unless weight_decouple); lr′ = lr + ε; λ = lr′·√t; x₀ = the parameter before the
/// first step (with momentum 0: x₀ = p + s/(∛Σ + ε) from the state before this step, kept as
/// state from the end of the previous step: the same operations on the same values);
/// Σ = Σ + λg²; s = s + λg; z = x₀ − s/(∛Σ + ε) (∛Σ + ε read as ∞ when it is 0);
/// p = z with momentum 0, else p = momentum·p + (1 − momentum)·z; then, under weight_decouple,
/// p = p − lr′·wd·p_before.
/// </summary>
/// <remarks>
/// <para>The multiplier λ is uniform: computed once per step, as the reference computes it once
/// per step for all tensors. The reference counts steps once for the optimizer (all groups); here
/// each tensor counts its own, which is the same for tensors registered before the first step.</para>
/// <para>The cube root is per element, and an update rule may apply <c>MathF.Pow</c> only to
/// uniform values (diagnostic KG0006). The rule computes it from square roots instead:
/// x^(1/3) = x^(1/4)·x^(1/16)·x^(1/64)·x^(1/256)·x^(1/1024)·r with r = x^(1/3072) ≈ 1 + (x^(1/1024) − 1)/3
/// (relative error below 1.1·10⁻³ for every positive float, subnormals included), then two Newton
/// steps y = y − (y − x/y²)/3, each squaring the relative error: the result is within a few float
/// ulps of the cube root, as the reference's <c>pow(x, 1/3)</c> in float is. 0, ∞ and NaN are
/// passed through as the cube root gives them.</para>
/// </remarks>
[Optimizer]
public sealed partial class MADGRAD
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>The weight of the parameter in the average with the dual-averaged point z (<c>momentum</c>).</summary>
    [Hyperparameter("momentum", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Momentum { get; set; } = 0.9f;

    /// <summary>Weight decay (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decay the weights after the update instead of adding wd·p to the gradient (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; }

    /// <summary>Added to the cube root and to the learning rate (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-6f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float gradSumSq, ref float sum, ref float x0,
        float learningRate, float momentum, float weightDecay, bool weightDecouple, float epsilon, bool maximize, [Step] int step)
    {
        // x₀ = p at the first step; with momentum 0 the reference's p + s/(∛Σ + ε) with s = Σ = 0
        // (p + 0, or NaN when ε = 0, as the reference gives).
        if (step == 1)
        {
            x0 = momentum == 0f ? param + 0f / epsilon : param;
        }

        float g = maximize ? -grad : grad;
        if (weightDecay > 0f && !weightDecouple)
        {
            g += weightDecay * param;
        }

        float lr = learningRate + epsilon;
        float lambda = lr * MathF.Sqrt(step);
        gradSumSq = gradSumSq + lambda * g * g;

        // The cube root from square roots and Newton steps (see the remarks).
        float a = gradSumSq;
        float a1 = MathF.Sqrt(MathF.Sqrt(a));
        float a2 = MathF.Sqrt(MathF.Sqrt(a1));
        float a3 = MathF.Sqrt(MathF.Sqrt(a2));
        float a4 = MathF.Sqrt(MathF.Sqrt(a3));
        float a5 = MathF.Sqrt(MathF.Sqrt(a4));
        float y = a1 * a2 * a3 * a4 * a5 * (1f + (a5 - 1f) / 3f);
        y -= (y - a / (y * y)) / 3f;
        y -= (y - a / (y * y)) / 3f;
        float rms = (a > 0f && a <= float.MaxValue ? y : a) + epsilon;

        // The reference reads a zero root (only possible with eps = 0) as infinity: s/∞ = 0.
        // rms is never negative, so <= 0 is == 0 (a varying == does not compile yet: the
        // generator emits VectorN.Equal for VectorN.Equals).
        float divisor = rms <= 0f ? float.PositiveInfinity : rms;
        sum = sum + lambda * g;
        float before = param;
        float z = x0 - sum / divisor;
        if (momentum == 0f)
        {
            param = z;
        }
        else
        {
            param = param * momentum + (1f - momentum) * z;
        }

        if (weightDecay > 0f && weightDecouple)
        {
            param += -lr * weightDecay * before;
        }

        if (momentum == 0f)
        {
            // The x₀ the reference computes at the start of the next step, p + s/(∛Σ + ε), from
            // the same values: kept rather than recomputed (a second cube root).
            x0 = param + sum / rms;
        }
    }
}
