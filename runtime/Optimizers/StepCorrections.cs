using System;

namespace KernelGen;

/// <summary>
/// The step-dependent corrections that several update rules take, written once. Rules call them
/// as helper methods: the generator inlines each call into the part of the kernel that runs once
/// per step, so they take uniform values only (hyper-parameters and the step).
/// </summary>
internal static class StepCorrections
{
    /// <summary>
    /// The bias correction 1 − βᵗ, as −expm1(t·ln β) from its series while t·ln β ≥ −¼: in float,
    /// 1 − βᵗ would cancel when βᵗ is near 1 (β = 0.9999 loses a quarter of its digits), while the
    /// references compute it in double.
    /// </summary>
    internal static float BiasCorrection(float beta, int step)
    {
        float k = step * MathF.Log(beta);
        return k >= -0.25f
            ? 0f - k * (1f + k / 2f * (1f + k / 3f * (1f + k / 4f * (1f + k / 5f * (1f + k / 6f * (1f + k / 7f))))))
            : 1f - MathF.Pow(beta, step);
    }

    /// <summary>
    /// RAdam's ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ) (the references' n_sma). While t·(−ln β₂) ≤ 1 the
    /// difference would cancel in float, so it is taken from its series in t and l = −ln β₂:
    /// ρₜ = t(1 − x/6 + x³/360 − x⁵/15120 + x⁷/604800) + l/6 − l³/360 with x = t·l; past that, from
    /// the formula, with β₂ᵗ and 1 − β₂ᵗ as the rule computes them.
    /// </summary>
    /// <param name="beta2">β₂.</param>
    /// <param name="step">t.</param>
    /// <param name="rhoInfinity">ρ∞ = 2/(1 − β₂) − 1.</param>
    /// <param name="beta2Power">β₂ᵗ.</param>
    /// <param name="biasCorrection2">1 − β₂ᵗ.</param>
    internal static float Rho(float beta2, int step, float rhoInfinity, float beta2Power, float biasCorrection2)
    {
        float l = -MathF.Log(beta2);
        float x = step * l;
        float x2 = x * x;
        float series = step * (1f - x / 6f + x2 * x / 360f - x2 * x2 * x / 15120f + x2 * x2 * x2 * x / 604800f)
                       + (l / 6f - l * l * l / 360f);
        return x <= 1f ? series : rhoInfinity - 2f * step * beta2Power / biasCorrection2;
    }
}
