using System;

namespace KernelGen.Conformance;

/// <summary>
/// The format's per-element acceptance test, <c>|actual - expected| &lt;= Absolute + Relative * |expected|</c>,
/// evaluated in double so the test itself adds no float rounding.
/// </summary>
public readonly record struct Tolerance(double Absolute, double Relative)
{
    /// <summary>
    /// Mixed precision: at least this many units in the last place of <see cref="StoredType"/> at the
    /// expected value (a last-bit difference in float32 may round to the neighbouring 16-bit value).
    /// </summary>
    public int StoredUnits { get; init; }

    /// <summary>The storage type <see cref="StoredUnits"/> counts in.</summary>
    public StateStorage StoredType { get; init; }

    /// <summary>This tolerance, or two units in the last place of <paramref name="type"/>, whichever is larger (float32 adds nothing).</summary>
    public Tolerance ForStorage(StateStorage type) =>
        type == StateStorage.Float32 ? this : this with { StoredUnits = 2, StoredType = type };

    /// <summary>For parameter values after each optimizer step.</summary>
    public static Tolerance Parameters { get; } = new(1e-5, 1e-5);

    /// <summary>For learning rates and momentums, which the references compute in double.</summary>
    public static Tolerance Schedules { get; } = new(1e-12, 1e-7);

    /// <summary>The largest accepted distance from <paramref name="expected"/>.</summary>
    public double Bound(double expected) =>
        Math.Max(Absolute + Relative * Math.Abs(expected), StoredUnits * UnitInLastPlace(StoredType, expected));

    /// <summary>The gap between consecutive values of a 16-bit type in the binade of <paramref name="value"/> (its subnormal gap below the normals).</summary>
    private static double UnitInLastPlace(StateStorage type, double value)
    {
        (int mantissaBits, int minimumExponent) = type switch
        {
            StateStorage.BFloat16 => (7, -126),
            StateStorage.Float16 => (10, -14),
            _ => (23, -126),
        };

        int exponent = value == 0 || !double.IsFinite(value) ? minimumExponent : Math.Max(Math.ILogB(value), minimumExponent);
        return Math.ScaleB(1.0, exponent - mantissaBits);
    }

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
