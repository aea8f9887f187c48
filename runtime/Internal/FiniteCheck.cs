using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Internal;

/// <summary>Finds a non-finite value in one read pass, a vector at a time.</summary>
internal static class FiniteCheck
{
    /// <summary>The index of the first infinity or NaN, or -1 when every value is finite.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        // x * 0 is 0 for a finite x and NaN for an infinity or a NaN: the sum of those stays 0
        // exactly when every value is finite. Only a block that fails is searched element by element.
        ref float start = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 4 * Vector512<float>.Count <= values.Length; i += 4 * Vector512<float>.Count)
            {
                Vector512<float> sum = Vector512.LoadUnsafe(ref start, (nuint)i) * Vector512<float>.Zero
                    + Vector512.LoadUnsafe(ref start, (nuint)(i + 16)) * Vector512<float>.Zero
                    + Vector512.LoadUnsafe(ref start, (nuint)(i + 32)) * Vector512<float>.Zero
                    + Vector512.LoadUnsafe(ref start, (nuint)(i + 48)) * Vector512<float>.Zero;
                if (sum != Vector512<float>.Zero)
                {
                    return Scan(values, i, i + 4 * Vector512<float>.Count);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                if (Vector256.LoadUnsafe(ref start, (nuint)i) * Vector256<float>.Zero != Vector256<float>.Zero)
                {
                    return Scan(values, i, i + Vector256<float>.Count);
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<float>.Count <= values.Length; i += Vector128<float>.Count)
            {
                if (Vector128.LoadUnsafe(ref start, (nuint)i) * Vector128<float>.Zero != Vector128<float>.Zero)
                {
                    return Scan(values, i, i + Vector128<float>.Count);
                }
            }
        }

        return Scan(values, i, values.Length);
    }

    private static int Scan(ReadOnlySpan<float> values, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
