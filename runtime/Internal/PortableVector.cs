using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace KernelGen.Internal;

/// <summary>
/// The operations the generated <see cref="KernelPath.VectorT"/> loops use on
/// <see cref="Vector{T}"/> of floats, named as <c>Vector128</c>'s so the generator writes one
/// form for every width. Each gives, lane by lane, the bits of the scalar operation the rule
/// calls (<c>MathF</c>'s semantics for NaN and signed zeros included), hardware accelerated or
/// not: comparisons return all-ones or all-zeros lanes of <c>Vector&lt;float&gt;</c>, as the
/// intrinsics' do.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PortableVector
{
    private static readonly Vector<float> SignBit = new(-0f);

    /// <summary>A lane mask that is set everywhere (the vector form of <c>true</c>).</summary>
    public static Vector<float> AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ~Vector<float>.Zero;
    }

    /// <summary><paramref name="value"/> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Create(float value) => new(value);

    /// <summary>The vector at <paramref name="source"/> + <paramref name="index"/> elements, unaligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LoadUnsafe(ref float source, nuint index) =>
        Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref source, (nint)index)));

    /// <summary>Writes <paramref name="value"/> at <paramref name="destination"/> + <paramref name="index"/> elements, unaligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreUnsafe(Vector<float> value, ref float destination, nuint index) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref destination, (nint)index)), value);

    /// <summary><c>x &lt; y</c> per lane (false where either is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LessThan(Vector<float> x, Vector<float> y) => Vector.LessThan<float>(x, y);

    /// <summary><c>x &lt;= y</c> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LessThanOrEqual(Vector<float> x, Vector<float> y) => Vector.LessThanOrEqual<float>(x, y);

    /// <summary><c>x &gt; y</c> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> GreaterThan(Vector<float> x, Vector<float> y) => Vector.GreaterThan<float>(x, y);

    /// <summary><c>x &gt;= y</c> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> GreaterThanOrEqual(Vector<float> x, Vector<float> y) => Vector.GreaterThanOrEqual<float>(x, y);

    /// <summary><c>x == y</c> per lane (false where either is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Equals(Vector<float> x, Vector<float> y) => Vector.Equals<float>(x, y);

    /// <summary>The bits of <paramref name="whenTrue"/> where <paramref name="mask"/> is set, else those of <paramref name="whenFalse"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ConditionalSelect(Vector<float> mask, Vector<float> whenTrue, Vector<float> whenFalse) =>
        Vector.ConditionalSelect(mask, whenTrue, whenFalse);

    /// <summary>
    /// <c>-x</c>: the sign bit flipped. (<c>Vector&lt;T&gt;</c>'s unary minus is <c>0 - x</c>, which
    /// gives +0 for +0 and keeps a NaN's sign.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Negate(Vector<float> x) => x ^ SignBit;

    /// <summary><c>MathF.Sqrt</c> per lane (correctly rounded, as IEEE 754 requires).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sqrt(Vector<float> x) => Vector.SquareRoot(x);

    /// <summary><c>MathF.Abs</c> per lane: the sign bit cleared (a NaN's too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Abs(Vector<float> x) => Vector.AndNot(x, SignBit);

    /// <summary><c>MathF.CopySign</c> per lane: the magnitude of <paramref name="x"/>, the sign bit of <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> CopySign(Vector<float> x, Vector<float> y) => Vector.AndNot(x, SignBit) | (y & SignBit);

    /// <summary>
    /// <c>MathF.Max</c> per lane: a NaN operand gives that NaN (x's if both are), and +0 is
    /// greater than -0. (<c>Vector.Max</c> leaves both to the hardware's or the runtime's choice.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max(Vector<float> x, Vector<float> y) =>
        // MathF.Max: x != y ? (IsNaN(x) || y < x ? x : y) : (IsNegative(y) ? x : y).
        XWhere(x, y, Vector.LessThan<float>(y, x), IsNegative(y));

    /// <summary><c>MathF.Min</c> per lane: a NaN operand gives that NaN (x's if both are), and -0 is less than +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Min(Vector<float> x, Vector<float> y) =>
        // MathF.Min: x != y ? (IsNaN(x) || x < y ? x : y) : (IsNegative(x) ? x : y).
        XWhere(x, y, Vector.LessThan<float>(x, y), IsNegative(x));

    /// <summary>MathF.Min's and Max's shape: x where the operands differ and x is NaN or <paramref name="xWins"/>, or where they are equal and <paramref name="xWinsWhenEqual"/>; else y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> XWhere(Vector<float> x, Vector<float> y, Vector<float> xWins, Vector<float> xWinsWhenEqual)
    {
        Vector<float> differ = ~Vector.Equals<float>(x, y);
        Vector<float> xIsNaN = ~Vector.Equals<float>(x, x);
        return Vector.ConditionalSelect(Vector.ConditionalSelect(differ, xIsNaN | xWins, xWinsWhenEqual), x, y);
    }

    /// <summary>Lanes whose sign bit is set (-0 and negative NaNs included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> IsNegative(Vector<float> x) =>
        Vector.AsVectorSingle(Vector.LessThan(Vector.AsVectorInt32(x), Vector<int>.Zero));

    /// <summary>
    /// <c>MathF.FusedMultiplyAdd</c> per lane, one rounding. <c>Vector&lt;T&gt;</c> has no fused
    /// multiply-add, and a multiply then an add rounds twice: each lane calls the scalar function.
    /// .NET Standard 2.1 has no <c>MathF.FusedMultiplyAdd</c> (a rule there cannot call it): there this throws.
    /// </summary>
    public static Vector<float> FusedMultiplyAdd(Vector<float> x, Vector<float> y, Vector<float> z)
    {
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = MathF.FusedMultiplyAdd(x[i], y[i], z[i]);
        }

        return new Vector<float>(lanes);
    }
}
