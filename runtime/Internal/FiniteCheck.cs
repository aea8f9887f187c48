using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET
using System.Runtime.Intrinsics;
#endif

namespace KernelGen.Internal;

/// <summary>Finds a non-finite value in one read pass, a vector at a time.</summary>
internal static class FiniteCheck
{
    /// <summary>The index of the first infinity or NaN, or -1 when every value is finite.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values) => FirstNonFinite(values, 1f);

    /// <summary>
    /// The index of the first value that is an infinity or a NaN once multiplied by
    /// <paramref name="multiplier"/> (as the kernels unscale a gradient: a finite value can
    /// overflow), or -1 when every product is finite.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static int FirstNonFinite(ReadOnlySpan<float> values, float multiplier)
    {
        // x * 0 is 0 for a finite x and NaN for an infinity or a NaN: the sum of those stays 0
        // exactly when every value is finite. Only a block that fails is searched element by element.
        ref float start = ref MemoryMarshal.GetReference(values);
        int i = 0;
#if NET
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(multiplier);
            for (; i + 4 * Vector512<float>.Count <= values.Length; i += 4 * Vector512<float>.Count)
            {
                Vector512<float> sum = Vector512.LoadUnsafe(ref start, (nuint)i) * m * Vector512<float>.Zero
                    + Vector512.LoadUnsafe(ref start, (nuint)(i + 16)) * m * Vector512<float>.Zero
                    + Vector512.LoadUnsafe(ref start, (nuint)(i + 32)) * m * Vector512<float>.Zero
                    + Vector512.LoadUnsafe(ref start, (nuint)(i + 48)) * m * Vector512<float>.Zero;
                if (sum != Vector512<float>.Zero)
                {
                    return Scan(values, multiplier, i, i + 4 * Vector512<float>.Count);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> m = Vector256.Create(multiplier);
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                if (Vector256.LoadUnsafe(ref start, (nuint)i) * m * Vector256<float>.Zero != Vector256<float>.Zero)
                {
                    return Scan(values, multiplier, i, i + Vector256<float>.Count);
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> m = Vector128.Create(multiplier);
            for (; i + Vector128<float>.Count <= values.Length; i += Vector128<float>.Count)
            {
                if (Vector128.LoadUnsafe(ref start, (nuint)i) * m * Vector128<float>.Zero != Vector128<float>.Zero)
                {
                    return Scan(values, multiplier, i, i + Vector128<float>.Count);
                }
            }
        }
#endif

        return Scan(values, multiplier, i, values.Length);
    }

    private static int Scan(ReadOnlySpan<float> values, float multiplier, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            if (!float.IsFinite(values.ItemAt(i) * multiplier))
            {
                return i;
            }
        }

        return -1;
    }
}
