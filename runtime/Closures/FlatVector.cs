using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET
using System.Runtime.Intrinsics;
#endif
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// The float32 vector operations of <see cref="LBFGS"/> on one path. Element-wise operations are
/// one multiply and one add per element, never fused, so every path gives the same bits. Sums
/// follow <see cref="Reduction"/>'s canonical order (element i of the whole blocks of 16 into
/// lane i mod 16, the rest in order into a tail, then a fixed tree), the same on every path.
/// </summary>
internal static class FlatVector
{
    /// <summary><c>sum x[i] * y[i]</c>.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, KernelPath path) => Sum<Product>(x, y, path);

    /// <summary><c>sum |x[i]|</c>.</summary>
    public static float SumAbs(ReadOnlySpan<float> x, KernelPath path) => Sum<Magnitude>(x, x, path);

    /// <summary><c>max |x[i]|</c> (NaN if any element is NaN): the order does not change a maximum.</summary>
    public static float MaxAbs(ReadOnlySpan<float> x)
    {
        float max = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(x.ItemAt(i)));
        }

        return max;
    }

    /// <summary><c>destination[i] = a[i] + alpha * b[i]</c>; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    public static void AddScaled(Span<float> destination, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float alpha, KernelPath path)
        => Map<AddScaledOp>(destination, a, b, alpha, path);

    /// <summary><c>destination[i] = a[i] * alpha</c>; <paramref name="destination"/> may be <paramref name="a"/>.</summary>
    public static void Scale(Span<float> destination, ReadOnlySpan<float> a, float alpha, KernelPath path)
        => Map<ScaleOp>(destination, a, a, alpha, path);

    /// <summary><c>destination[i] = a[i] - b[i]</c>.</summary>
    public static void Subtract(Span<float> destination, ReadOnlySpan<float> a, ReadOnlySpan<float> b, KernelPath path)
        => Map<SubtractOp>(destination, a, b, 0f, path);

    private static float Sum<TTerm>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, KernelPath path)
        where TTerm : struct, ITerm
    {
        int length = x.Length;
        if (y.Length != length)
        {
            throw new ArgumentException("The vectors differ in length.");
        }

        int blocks = length - length % Reduction.Lanes;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        Span<float> lanes = stackalloc float[Reduction.Lanes];
        lanes.Clear();
        ref float rl = ref MemoryMarshal.GetReference(lanes);
        switch (path)
        {
#if NET
            case KernelPath.Vector512:
            {
                Vector512<float> acc = Vector512<float>.Zero;
                for (int i = 0; i < blocks; i += 16)
                {
                    acc += TTerm.Of(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i));
                }

                acc.StoreUnsafe(ref rl);
                break;
            }

            case KernelPath.Vector256:
            {
                Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
                for (int i = 0; i < blocks; i += 16)
                {
                    acc0 += TTerm.Of(Vector256.LoadUnsafe(ref rx, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i));
                    acc1 += TTerm.Of(Vector256.LoadUnsafe(ref rx, (nuint)(i + 8)), Vector256.LoadUnsafe(ref ry, (nuint)(i + 8)));
                }

                acc0.StoreUnsafe(ref rl);
                acc1.StoreUnsafe(ref rl, 8);
                break;
            }

            case KernelPath.Vector128:
            {
                Vector128<float> acc0 = Vector128<float>.Zero, acc1 = Vector128<float>.Zero;
                Vector128<float> acc2 = Vector128<float>.Zero, acc3 = Vector128<float>.Zero;
                for (int i = 0; i < blocks; i += 16)
                {
                    acc0 += TTerm.Of(Vector128.LoadUnsafe(ref rx, (nuint)i), Vector128.LoadUnsafe(ref ry, (nuint)i));
                    acc1 += TTerm.Of(Vector128.LoadUnsafe(ref rx, (nuint)(i + 4)), Vector128.LoadUnsafe(ref ry, (nuint)(i + 4)));
                    acc2 += TTerm.Of(Vector128.LoadUnsafe(ref rx, (nuint)(i + 8)), Vector128.LoadUnsafe(ref ry, (nuint)(i + 8)));
                    acc3 += TTerm.Of(Vector128.LoadUnsafe(ref rx, (nuint)(i + 12)), Vector128.LoadUnsafe(ref ry, (nuint)(i + 12)));
                }

                acc0.StoreUnsafe(ref rl);
                acc1.StoreUnsafe(ref rl, 4);
                acc2.StoreUnsafe(ref rl, 8);
                acc3.StoreUnsafe(ref rl, 12);
                break;
            }
#endif

            default:
                for (int i = 0; i < blocks; i += 16)
                {
                    for (int j = 0; j < 16; j++)
                    {
                        lanes[j] += Term<TTerm>(Unsafe.Add(ref rx, i + j), Unsafe.Add(ref ry, i + j));
                    }
                }

                break;
        }

        float tail = 0f;
        for (int i = blocks; i < length; i++)
        {
            tail += Term<TTerm>(Unsafe.Add(ref rx, i), Unsafe.Add(ref ry, i));
        }

        return Reduction.Combine(lanes, tail);
    }

    private static void Map<TOp>(Span<float> destination, ReadOnlySpan<float> a, ReadOnlySpan<float> b, float alpha, KernelPath path)
        where TOp : struct, IElementOp
    {
        int length = destination.Length;
        if (a.Length != length || b.Length != length)
        {
            throw new ArgumentException("The vectors differ in length.");
        }

        ref float rd = ref MemoryMarshal.GetReference(destination);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        switch (path)
        {
#if NET
            case KernelPath.Vector512:
                for (Vector512<float> s = Vector512.Create(alpha); i <= length - 16; i += 16)
                {
                    TOp.Of(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i), s).StoreUnsafe(ref rd, (nuint)i);
                }

                break;
            case KernelPath.Vector256:
                for (Vector256<float> s = Vector256.Create(alpha); i <= length - 8; i += 8)
                {
                    TOp.Of(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i), s).StoreUnsafe(ref rd, (nuint)i);
                }

                break;
            case KernelPath.Vector128:
                for (Vector128<float> s = Vector128.Create(alpha); i <= length - 4; i += 4)
                {
                    TOp.Of(Vector128.LoadUnsafe(ref ra, (nuint)i), Vector128.LoadUnsafe(ref rb, (nuint)i), s).StoreUnsafe(ref rd, (nuint)i);
                }

                break;
#endif
            default:
                break;
        }

        for (; i < length; i++)
        {
            destination[i] = Op<TOp>(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i), alpha);
        }
    }

    // The scalar form of a term or an operation: a static abstract member on .NET, an instance
    // member on .NET Standard 2.1 (which has no static abstracts and no intrinsics).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Term<TTerm>(float x, float y)
        where TTerm : struct, ITerm =>
#if NET
        TTerm.Of(x, y);
#else
        default(TTerm).Of(x, y);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Op<TOp>(float a, float b, float alpha)
        where TOp : struct, IElementOp =>
#if NET
        TOp.Of(a, b, alpha);
#else
        default(TOp).Of(a, b, alpha);
#endif

    private interface ITerm
    {
#if NET
        static abstract float Of(float x, float y);

        static abstract Vector128<float> Of(Vector128<float> x, Vector128<float> y);

        static abstract Vector256<float> Of(Vector256<float> x, Vector256<float> y);

        static abstract Vector512<float> Of(Vector512<float> x, Vector512<float> y);
#else
        float Of(float x, float y);
#endif
    }

    private readonly struct Product : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float x, float y) => x * y;

#if NET
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Of(Vector128<float> x, Vector128<float> y) => x * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> x, Vector256<float> y) => x * y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Of(Vector512<float> x, Vector512<float> y) => x * y;
#else

        float ITerm.Of(float x, float y) => Of(x, y);
#endif
    }

    private readonly struct Magnitude : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float x, float y) => MathF.Abs(x);

#if NET
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Of(Vector128<float> x, Vector128<float> y) => Vector128.Abs(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> x, Vector256<float> y) => Vector256.Abs(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Of(Vector512<float> x, Vector512<float> y) => Vector512.Abs(x);
#else

        float ITerm.Of(float x, float y) => Of(x, y);
#endif
    }

    private interface IElementOp
    {
#if NET
        static abstract float Of(float a, float b, float alpha);

        static abstract Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> alpha);

        static abstract Vector256<float> Of(Vector256<float> a, Vector256<float> b, Vector256<float> alpha);

        static abstract Vector512<float> Of(Vector512<float> a, Vector512<float> b, Vector512<float> alpha);
#else
        float Of(float a, float b, float alpha);
#endif
    }

    private readonly struct AddScaledOp : IElementOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float a, float b, float alpha) => a + alpha * b;

#if NET
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> alpha) => a + alpha * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> a, Vector256<float> b, Vector256<float> alpha) => a + alpha * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Of(Vector512<float> a, Vector512<float> b, Vector512<float> alpha) => a + alpha * b;
#else

        float IElementOp.Of(float a, float b, float alpha) => Of(a, b, alpha);
#endif
    }

    private readonly struct ScaleOp : IElementOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float a, float b, float alpha) => a * alpha;

#if NET
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> alpha) => a * alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> a, Vector256<float> b, Vector256<float> alpha) => a * alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Of(Vector512<float> a, Vector512<float> b, Vector512<float> alpha) => a * alpha;
#else

        float IElementOp.Of(float a, float b, float alpha) => Of(a, b, alpha);
#endif
    }

    private readonly struct SubtractOp : IElementOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Of(float a, float b, float alpha) => a - b;

#if NET
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> alpha) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Of(Vector256<float> a, Vector256<float> b, Vector256<float> alpha) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Of(Vector512<float> a, Vector512<float> b, Vector512<float> alpha) => a - b;
#else

        float IElementOp.Of(float a, float b, float alpha) => Of(a, b, alpha);
#endif
    }
}
