using System;
using System.Globalization;

namespace KernelGen;

/// <summary>
/// bfloat16: the upper 16 bits of a float32 (sign, 8 exponent bits, 7 stored mantissa bits), so
/// float32's range with 8 significant bits, in half the bytes. Widening to float is exact;
/// narrowing rounds to nearest, ties to even, and keeps a NaN a NaN (quiet, with its sign and
/// upper payload bits).
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>, IFormattable
{
    private BFloat16(ushort bits) => Bits = bits;

    /// <summary>The raw bit pattern (the upper half of the float32 it widens to).</summary>
    public ushort Bits { get; }

    /// <summary>The value with bit pattern <paramref name="bits"/>.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>The largest finite value, 3.3895314e38.</summary>
    public static BFloat16 MaxValue => new(0x7F7F);

    /// <summary>The smallest positive normal value, 2^-126.</summary>
    public static BFloat16 SmallestNormal => new(0x0080);

    /// <summary>Positive infinity.</summary>
    public static BFloat16 PositiveInfinity => new(0x7F80);

    /// <summary>A quiet NaN.</summary>
    public static BFloat16 NaN => new(0x7FC0);

    /// <summary>Widens exactly: every bfloat16 is a float32.</summary>
    public static explicit operator float(BFloat16 value) => StorageConversion.WidenBFloat16(value.Bits);

    /// <summary>Rounds to the nearest bfloat16, ties to even; a NaN stays a NaN.</summary>
    public static explicit operator BFloat16(float value) => new(StorageConversion.NarrowBFloat16(value));

    /// <summary>Whether the value is a NaN.</summary>
    public static bool IsNaN(BFloat16 value) => (value.Bits & 0x7FFF) > 0x7F80;

    /// <summary>
    /// Equal as numbers are (so +0 equals −0), except that a NaN equals a NaN, as
    /// <see cref="float.Equals(float)"/> does.
    /// </summary>
    public bool Equals(BFloat16 other) => ((float)this).Equals((float)other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => ((float)this).GetHashCode();

    /// <summary>Orders as <see cref="float.CompareTo(float)"/> orders the widened values.</summary>
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo((float)other);

    /// <summary>Equal as numbers (a NaN equals nothing).</summary>
    public static bool operator ==(BFloat16 left, BFloat16 right) => (float)left == (float)right;

    /// <summary>Not equal as numbers (a NaN differs from everything).</summary>
    public static bool operator !=(BFloat16 left, BFloat16 right) => (float)left != (float)right;

    /// <summary>The widened value, formatted as a float (shortest round-trip text).</summary>
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ((float)this).ToString(format, formatProvider);
}
