using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Per-step factors a hand-written step computes once before its loop, in double as torch
/// computes them in Python (the optimizers compute them in float, with series where float would
/// cancel; both are exact to float precision).
/// </summary>
internal static class StepFactors
{
    /// <summary>1 − βᵗ.</summary>
    public static float BiasCorrection(float beta, int step) => (float)(1.0 - Math.Pow(beta, step));

    /// <summary>√(1 − βᵗ).</summary>
    public static float BiasCorrectionSqrt(float beta, int step) => (float)Math.Sqrt(1.0 - Math.Pow(beta, step));

    /// <summary>Adam's step size lr/(1 − β₁ᵗ) and √(1 − β₂ᵗ), the divisor of √v.</summary>
    public static (float StepSize, float BiasCorrection2Sqrt) Adam(float learningRate, float beta1, float beta2, int step) =>
        (learningRate / BiasCorrection(beta1, step), BiasCorrectionSqrt(beta2, step));

    /// <summary>RAdam's ρ∞ = 2/(1 − β₂) − 1.</summary>
    public static double RhoInfinity(float beta2) => 2.0 / (1.0 - beta2) - 1.0;

    /// <summary>RAdam's ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ).</summary>
    public static double Rho(float beta2, int step)
    {
        double power = Math.Pow(beta2, step);
        return RhoInfinity(beta2) - 2.0 * step * power / (1.0 - power);
    }

    /// <summary>
    /// RAdam's rectification at step <paramref name="step"/>: whether ρₜ &gt; 5, and then
    /// √(1 − β₂ᵗ)·r with r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)), the factor of m̂·lr/(√v + ε).
    /// </summary>
    public static (bool Rectified, float AdaptiveScale) Rectification(float beta2, int step)
    {
        double rho = Rho(beta2, step);
        double rhoInfinity = RhoInfinity(beta2);
        if (rho <= 5.0)
        {
            return (false, 0f);
        }

        double r = Math.Sqrt((rho - 4.0) * (rho - 2.0) * rhoInfinity / ((rhoInfinity - 4.0) * (rhoInfinity - 2.0) * rho));
        return (true, (float)(Math.Sqrt(1.0 - Math.Pow(beta2, step)) * r));
    }
}
