using System;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET
using System.Runtime.Intrinsics;
#endif

namespace KernelGen;

/// <summary>
/// Element functions an update rule may call beyond <see cref="System.MathF"/>, with a scalar
/// form (what the rule calls) and a vector form per width that gives the same bits lane by lane.
/// </summary>
public static class KernelMath
{
    /// <summary>
    /// The sign as a float: 1 for positive, -1 for negative; a zero keeps its sign and NaN stays
    /// NaN (unlike <see cref="System.MathF.Sign(float)"/>, which returns an int and throws on NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float x) => x > 0f ? 1f : x < 0f ? -1f : x;

    /// <summary>
    /// In an update rule: the sum of <c>value * value</c> over every element of the tensor, a
    /// uniform value (LAMB, LARS and NovoGrad need such norms). The generated kernel computes it in
    /// a reducing pass before the update, in a fixed order (see <see cref="Internal.Reduction"/>).
    /// A rule with a reduction has no meaning for one element: calling this directly throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">Always, when called outside a generated kernel.</exception>
    public static float SumOfSquares(float value) => throw ReductionCalledDirectly();

    /// <summary>In an update rule: the L2 norm of a per-element value over the whole tensor, <c>MathF.Sqrt(SumOfSquares(value))</c>.</summary>
    /// <exception cref="InvalidOperationException">Always, when called outside a generated kernel.</exception>
    public static float Norm(float value) => throw ReductionCalledDirectly();

    private static InvalidOperationException ReductionCalledDirectly() =>
        new("A per-tensor reduction has no value for one element: a rule that uses one runs through its generated kernel or the rule interpreter, not element by element.");

    /// <summary><see cref="Sign(float)"/> on each lane (the <see cref="KernelPath.VectorT"/> loops' form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sign(Vector<float> x) =>
        Vector.ConditionalSelect(Vector.GreaterThan<float>(x, Vector<float>.Zero), Vector<float>.One,
            Vector.ConditionalSelect(Vector.LessThan<float>(x, Vector<float>.Zero), new Vector<float>(-1f), x));

#if NET
    /// <summary><see cref="Sign(float)"/> on each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sign(Vector128<float> x) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), Vector128.Create(1f),
            Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128.Create(-1f), x));

    /// <summary><see cref="Sign(float)"/> on each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256.Create(1f),
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(-1f), x));

    /// <summary><see cref="Sign(float)"/> on each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sign(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), Vector512.Create(1f),
            Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(-1f), x));

    /// <summary><see cref="System.MathF.Max(float, float)"/> on each lane: NaN when either is NaN, +0 above -0.</summary>
    /// <remarks>
    /// .NET 9's <c>Vector128.Max</c> gives these bits; .NET 8's does not (for a NaN or two zeros it
    /// returns one operand by position), so kernels generated for net8.0 call this.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> x, Vector128<float> y) =>
        Vector128.ConditionalSelect(IsNaN(x) | Vector128.LessThan(y, x) | (Vector128.Equals(x, y) & IsNegative(y)), x, y);

    /// <summary><see cref="System.MathF.Min(float, float)"/> on each lane: NaN when either is NaN, -0 below +0.</summary>
    /// <remarks>Kernels generated for net8.0 call this, for the reason given at <see cref="Max(Vector128{float}, Vector128{float})"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> x, Vector128<float> y) =>
        Vector128.ConditionalSelect(IsNaN(x) | Vector128.LessThan(x, y) | (Vector128.Equals(x, y) & IsNegative(x)), x, y);

    private static Vector128<float> IsNaN(Vector128<float> x) => ~Vector128.Equals(x, x);

    // The sign bit, which a float comparison cannot see on a zero.
    private static Vector128<float> IsNegative(Vector128<float> x) => Vector128.LessThan(x.AsInt32(), Vector128<int>.Zero).AsSingle();

    /// <summary><see cref="System.MathF.Max(float, float)"/> on each lane: NaN when either is NaN, +0 above -0.</summary>
    /// <remarks>
    /// .NET 9's <c>Vector256.Max</c> gives these bits; .NET 8's does not (for a NaN or two zeros it
    /// returns one operand by position), so kernels generated for net8.0 call this.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> x, Vector256<float> y) =>
        Vector256.ConditionalSelect(IsNaN(x) | Vector256.LessThan(y, x) | (Vector256.Equals(x, y) & IsNegative(y)), x, y);

    /// <summary><see cref="System.MathF.Min(float, float)"/> on each lane: NaN when either is NaN, -0 below +0.</summary>
    /// <remarks>Kernels generated for net8.0 call this, for the reason given at <see cref="Max(Vector256{float}, Vector256{float})"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> x, Vector256<float> y) =>
        Vector256.ConditionalSelect(IsNaN(x) | Vector256.LessThan(x, y) | (Vector256.Equals(x, y) & IsNegative(x)), x, y);

    private static Vector256<float> IsNaN(Vector256<float> x) => ~Vector256.Equals(x, x);

    // The sign bit, which a float comparison cannot see on a zero.
    private static Vector256<float> IsNegative(Vector256<float> x) => Vector256.LessThan(x.AsInt32(), Vector256<int>.Zero).AsSingle();

    /// <summary><see cref="System.MathF.Max(float, float)"/> on each lane: NaN when either is NaN, +0 above -0.</summary>
    /// <remarks>
    /// .NET 9's <c>Vector512.Max</c> gives these bits; .NET 8's does not (for a NaN or two zeros it
    /// returns one operand by position), so kernels generated for net8.0 call this.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> x, Vector512<float> y) =>
        Vector512.ConditionalSelect(IsNaN(x) | Vector512.LessThan(y, x) | (Vector512.Equals(x, y) & IsNegative(y)), x, y);

    /// <summary><see cref="System.MathF.Min(float, float)"/> on each lane: NaN when either is NaN, -0 below +0.</summary>
    /// <remarks>Kernels generated for net8.0 call this, for the reason given at <see cref="Max(Vector512{float}, Vector512{float})"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> x, Vector512<float> y) =>
        Vector512.ConditionalSelect(IsNaN(x) | Vector512.LessThan(x, y) | (Vector512.Equals(x, y) & IsNegative(x)), x, y);

    private static Vector512<float> IsNaN(Vector512<float> x) => ~Vector512.Equals(x, x);

    // The sign bit, which a float comparison cannot see on a zero.
    private static Vector512<float> IsNegative(Vector512<float> x) => Vector512.LessThan(x.AsInt32(), Vector512<int>.Zero).AsSingle();
#endif
}
