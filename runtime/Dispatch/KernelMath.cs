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
#endif
}
