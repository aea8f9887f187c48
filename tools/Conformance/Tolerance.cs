using System;

namespace KernelGen.Conformance;

/// <summary>
/// The format's per-element acceptance test, <c>|actual - expected| &lt;= Absolute + Relative * |expected|</c>,
/// evaluated in double so the test itself adds no float rounding.
/// </summary>
public readonly record struct Tolerance(double Absolute, double Relative)
{
    /// <summary>For parameter values after each optimizer step.</summary>
    public static Tolerance Parameters { get; } = new(1e-5, 1e-5);

    /// <summary>For learning rates and momentums, which the references compute in double.</summary>
    public static Tolerance Schedules { get; } = new(1e-12, 1e-7);

    /// <summary>The largest accepted distance from <paramref name="expected"/>.</summary>
    public double Bound(double expected) => Absolute + Relative * Math.Abs(expected);

    /// <summary>
    /// Whether <paramref name="actual"/> is accepted. A NaN expected value only matches NaN, and
    /// an infinite one only the same infinity.
    /// </summary>
    public bool Accepts(double actual, double expected)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (actual == expected)
        {
            return true;
        }

        // An infinite bound would accept anything; an infinity only matches itself (handled above).
        return double.IsFinite(expected) && Math.Abs(actual - expected) <= Bound(expected);
    }
}
