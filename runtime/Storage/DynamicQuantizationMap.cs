using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET
using System.Runtime.Intrinsics;
#endif

namespace KernelGen;

/// <summary>
/// The dynamic (tree) quantization map of Dettmers et al., "8-bit Optimizers via Block-wise
/// Quantization" (arXiv 2110.02861): 256 values in [-1, 1] (signed) or [0, 1] (unsigned) whose
/// spacing follows a decimal exponent, fine near zero and coarse near one, so a block scaled by its
/// absolute maximum keeps small values as well as large ones. A value is stored as the index (the
/// code) of the nearest map value.
/// </summary>
/// <remarks>
/// The map is built as bitsandbytes' <c>create_dynamic_map</c> describes it (seven decimal exponents;
/// for exponent i, the midpoints of an even split of [0.1, 1] into 2^i parts signed, 2^(i+1)
/// unsigned, times 10^(i-6); then 0 and 1), computed in double from exact decimal powers and
/// rounded to float once, so every machine builds the same bits. Codes are found by comparing
/// with the 255 midpoints between neighbouring map values: the comparisons are exact, so the codes
/// are the same on every instruction set.
/// </remarks>
internal sealed class DynamicQuantizationMap
{
    /// <summary>Elements per block: each block has its own absmax scale.</summary>
    public const int BlockLength = 256;

    /// <summary>log2 of <see cref="BlockLength"/>.</summary>
    public const int BlockShift = 8;

    /// <summary>The map for values of either sign (first moments).</summary>
    public static readonly DynamicQuantizationMap Signed = new(signed: true);

    /// <summary>The map for values that are never negative (second moments).</summary>
    public static readonly DynamicQuantizationMap Unsigned = new(signed: false);

    private const int Exponents = 7;

    // The map, ascending; and the 255 midpoints between neighbours, padded with +∞ to 256 so a
    // search step can read one past the last.
    private readonly float[] _values = new float[256];
    private readonly float[] _midpoints = new float[256];

    private DynamicQuantizationMap(bool signed)
    {
        IsSigned = signed;
        double[] values = new double[256];
        int count = 0;
        // 10^(i - 6) as literals: the nearest doubles, with no library power function that could differ between machines.
        double[] powers = { 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1 };
        for (int i = 0; i < Exponents; i++)
        {
            double power = powers[i];
            int parts = signed ? 1 << i : 1 << (i + 1);
            for (int k = 0; k < parts; k++)
            {
                // The midpoint of [0.1 + 0.9k/parts, 0.1 + 0.9(k+1)/parts].
                double mean = 0.1 + 0.9 * (2 * k + 1) / (2.0 * parts);
                values[count++] = power * mean;
                if (signed)
                {
                    values[count++] = -power * mean;
                }
            }
        }

        values[count++] = 0;
        values[count++] = 1;
        if (count != 256)
        {
            throw new InvalidOperationException($"The dynamic map has {count} values, not 256.");
        }

        Array.Sort(values);
        for (int k = 0; k < 256; k++)
        {
            _values[k] = (float)values[k];
        }

        for (int k = 0; k < 255; k++)
        {
            _midpoints[k] = (float)(((double)_values[k] + _values[k + 1]) / 2);
        }

        _midpoints[255] = float.PositiveInfinity;
        ZeroCode = (byte)Array.IndexOf(_values, 0f);
    }

    /// <summary>Whether the map covers [-1, 1] (else [0, 1]).</summary>
    public bool IsSigned { get; }

    /// <summary>The code of 0.</summary>
    public byte ZeroCode { get; }

    /// <summary>The 256 map values, ascending.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>
    /// The code of <paramref name="normalized"/> (a finite value divided by its block's absmax, so
    /// in [-1, 1]): the number of midpoints below it, by a binary search of eight steps. A value on a
    /// midpoint takes the lower code.
    /// </summary>
    /// <remarks>
    /// Each step takes the sign bit of midpoint − value, 1 exactly when the midpoint is below the
    /// value (an exact tie gives +0): arithmetic, not a branch the processor would mispredict half
    /// the time. Both are at most 1 in magnitude, so the difference is exact in its sign.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Code(float normalized)
    {
        ref float midpoints = ref MemoryMarshal.GetArrayDataReference(_midpoints);
        int code = 0;
        code += Below(Unsafe.Add(ref midpoints, code + 127), normalized) << 7;
        code += Below(Unsafe.Add(ref midpoints, code + 63), normalized) << 6;
        code += Below(Unsafe.Add(ref midpoints, code + 31), normalized) << 5;
        code += Below(Unsafe.Add(ref midpoints, code + 15), normalized) << 4;
        code += Below(Unsafe.Add(ref midpoints, code + 7), normalized) << 3;
        code += Below(Unsafe.Add(ref midpoints, code + 3), normalized) << 2;
        code += Below(Unsafe.Add(ref midpoints, code + 1), normalized) << 1;
        code += Below(Unsafe.Add(ref midpoints, code), normalized);
        return (byte)code;

        static int Below(float midpoint, float value) => (int)(BitConverter.SingleToUInt32Bits(midpoint - value) >> 31);
    }

    /// <summary>
    /// Replaces the codes and scale of one block with those of <paramref name="values"/> (at most
    /// <see cref="BlockLength"/>): the scale is the largest magnitude, each code that of the value
    /// divided by it. A block holding an infinity or a NaN gets scale NaN (every value reads back
    /// as NaN), as a float32 state would carry the non-finite value into the update.
    /// </summary>
    public void QuantizeBlock(ReadOnlySpan<float> values, Span<byte> codes, out float scale)
    {
        float absmax = AbsoluteMaximum(values);
        codes = codes.Slice(0, values.Length);
        if (!float.IsFinite(absmax))
        {
            codes.Fill(ZeroCode);
            scale = float.NaN;
            return;
        }

        // A block of zeros keeps scale 0 and divides by 1, which gives zero's code.
        float divisor = absmax > 0f ? absmax : 1f;
        for (int i = 0; i < values.Length; i++)
        {
            codes[i] = Code(values[i] / divisor);
        }

        scale = absmax;
    }

    /// <summary>Writes the values of one block's codes: map value times the scale.</summary>
    public void DequantizeBlock(ReadOnlySpan<byte> codes, float scale, Span<float> values)
    {
        values = values.Slice(0, codes.Length);
        ref float map = ref MemoryMarshal.GetArrayDataReference(_values);
        for (int i = 0; i < codes.Length; i++)
        {
            values[i] = Unsafe.Add(ref map, codes[i]) * scale;
        }
    }

    /// <summary>
    /// The largest |x| of <paramref name="values"/>; NaN when any is NaN. The same bits on every
    /// path: a maximum is exact, and NaN is found by its own test, not by a Max instruction's rule.
    /// Vector128 (SSE, NEON) is wide enough: the maximum is a small part of a step's work.
    /// </summary>
    internal static float AbsoluteMaximum(ReadOnlySpan<float> values)
    {
        int i = 0;
        float absmax = 0f;
        bool nan = false;
#if NET
        if (Vector128.IsHardwareAccelerated && values.Length >= Vector128<float>.Count)
        {
            Vector128<float> max = Vector128<float>.Zero;
            Vector128<float> unordered = Vector128<float>.Zero;
            for (; i <= values.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                Vector128<float> x = Vector128.Abs(Vector128.Create(values.Slice(i, Vector128<float>.Count)));
                max = Vector128.Max(max, x);
                unordered |= ~Vector128.Equals(x, x);
            }

            nan = unordered != Vector128<float>.Zero;
            for (int k = 0; k < Vector128<float>.Count; k++)
            {
                absmax = MathF.Max(absmax, max.GetElement(k));
            }
        }
#endif

        for (; i < values.Length; i++)
        {
            float x = MathF.Abs(values[i]);
            nan |= float.IsNaN(x);
            absmax = MathF.Max(absmax, x);
        }

        return nan ? float.NaN : absmax;
    }
}
