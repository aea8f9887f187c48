using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Internal;
#if NET
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
/// rounded to float once, so every machine builds the same bits. A value's code is the number of
/// the 255 midpoints between neighbouring map values that lie below it (a value on a midpoint takes
/// the lower code). The comparisons are exact, so the codes are the same on every instruction set;
/// a table of buckets (see <see cref="Code"/>) finds them with one lookup and one comparison, and
/// on AVX2 eight at a time with a gather.
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

    // Buckets: a normalized value's magnitude is clamped to [2^-23, 1], and its float bits from
    // 2^-23's on, shifted right by 16 (the exponent and the top 7 mantissa bits), number its
    // bucket, one table per sign. No midpoint lies below 2^-23 in magnitude (the smallest is
    // about 1.6e-7), so the clamp changes no code; and 7 mantissa bits make every bucket narrower
    // than the gaps between midpoints, so a bucket holds at most one (the constructor checks both).
    private const uint SmallestBucketed = 104u << 23;                   // 2^-23
    private const uint OneBits = 127u << 23;                            // 1.0
    private const int BucketShift = 16;
    private const uint PositionMask = (1u << BucketShift) - 1;
    private const uint BucketsPerSign = ((OneBits - SmallestBucketed) >> BucketShift) + 1;

    // The map, ascending; and the 255 midpoints between neighbours, padded with +∞ to 256 so a
    // search step can read one past the last.
    private readonly float[] _values = new float[256];
    private readonly float[] _midpoints = new float[256];

    // Per bucket (positive values' buckets, then negative values'): the code of the bucket's lowest
    // value in the upper 16 bits, and in the lower 16 the position (see Position) of the midpoint
    // inside the bucket, or 0xFFFF when there is none: a value's code is the first plus one when
    // its position is above the second.
    private readonly uint[] _buckets = new uint[2 * BucketsPerSign];

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
        FillBuckets();
    }

    /// <summary>Whether the map covers [-1, 1] (else [0, 1]).</summary>
    public bool IsSigned { get; }

    /// <summary>The code of 0.</summary>
    public byte ZeroCode { get; }

    /// <summary>The 256 map values, ascending.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>
    /// The code of <paramref name="normalized"/> (a finite value divided by its block's absmax, so
    /// in [-1, 1]): the number of midpoints below it, from its bucket's entry (see the class
    /// remarks). The same code as <see cref="SearchCode"/> for every such value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Code(float normalized)
    {
        uint bits = BitConverter.SingleToUInt32Bits(normalized);
        uint magnitude = Math.Min(Math.Max(bits & 0x7FFF_FFFFu, SmallestBucketed), OneBits);
        uint negative = (uint)((int)bits >> 31);
        uint entry = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets), (nint)Bucket(magnitude, negative));
        return (byte)((entry >> 16) + (Position(magnitude, negative) > (entry & PositionMask) ? 1u : 0u));
    }

    /// <summary>
    /// The code of <paramref name="normalized"/> by a binary search of eight steps over the
    /// midpoints: the definition the bucket table is built from and checked against.
    /// </summary>
    /// <remarks>
    /// Each step takes the sign bit of midpoint − value, 1 exactly when the midpoint is below the
    /// value (an exact tie gives +0): arithmetic, not a branch the processor would mispredict half
    /// the time. Both are at most 1 in magnitude, so the difference is exact in its sign.
    /// </remarks>
    public byte SearchCode(float normalized)
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
    /// as NaN), as a float32 state would carry the non-finite value into the update. Every
    /// <paramref name="path"/> gives the same codes: the vector paths divide and find the buckets
    /// of 4 or 8 values at once (Vector256 gathers their entries with AVX2).
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void QuantizeBlock(ReadOnlySpan<float> values, Span<byte> codes, out float scale, KernelPath path = KernelPath.Auto)
    {
        float absmax = AbsoluteMaximum(values, path);
        codes = codes.Slice(0, values.Length);
        if (!float.IsFinite(absmax))
        {
            codes.Fill(ZeroCode);
            scale = float.NaN;
            return;
        }

        // A block of zeros keeps scale 0 and divides by 1, which gives zero's code.
        float divisor = absmax > 0f ? absmax : 1f;
        int i = 0;
#if NET
        switch (VectorWidth(path))
        {
            case 256 when Avx2.IsSupported:
                i = QuantizeGathering(values, codes, divisor);
                break;
            case > 0:
                i = QuantizeVector128(values, codes, divisor);
                break;
        }
#endif

        for (; i < values.Length; i++)
        {
            codes[i] = Code(values.ItemAt(i) / divisor);
        }

        scale = absmax;
    }

    /// <summary>Writes the values of one block's codes: map value times the scale (the vector paths multiply four at once; the same bits).</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void DequantizeBlock(ReadOnlySpan<byte> codes, float scale, Span<float> values, KernelPath path = KernelPath.Auto)
    {
        values = values.Slice(0, codes.Length);
        ref float map = ref MemoryMarshal.GetArrayDataReference(_values);
        int i = 0;
#if NET
        if (VectorWidth(path) > 0)
        {
            // Four loads into one vector: faster than an AVX2 gather on the machines measured (docs/storage.md).
            ref byte code = ref MemoryMarshal.GetReference(codes);
            ref float value = ref MemoryMarshal.GetReference(values);
            var by = Vector128.Create(scale);
            for (; i <= codes.Length - 4; i += 4)
            {
                uint four = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref code, i));
                Vector128<float> mapped = Vector128.Create(
                    Unsafe.Add(ref map, four & 0xFF), Unsafe.Add(ref map, (four >> 8) & 0xFF), Unsafe.Add(ref map, (four >> 16) & 0xFF), Unsafe.Add(ref map, four >> 24));
                (mapped * by).StoreUnsafe(ref value, (nuint)i);
            }
        }
#endif

        for (; i < codes.Length; i++)
        {
            values[i] = Unsafe.Add(ref map, codes.ItemAt(i)) * scale;
        }
    }

    /// <summary>The bucket of a clamped magnitude and its sign mask (all ones for a negative value).</summary>
    private static uint Bucket(uint magnitude, uint negative) => ((magnitude - SmallestBucketed) >> BucketShift) + (negative & BucketsPerSign);

    /// <summary>
    /// Where a value lies in its bucket, from 0 at the bucket's lowest value to 0xFFFF at its
    /// highest: a positive value's low magnitude bits, a negative value's complemented (its
    /// larger magnitudes are the lower values).
    /// </summary>
    private static uint Position(uint magnitude, uint negative) => (magnitude ^ negative) & PositionMask;

    /// <summary>
    /// Fills the bucket table from <see cref="SearchCode"/>: per bucket, the code of its lowest
    /// value and the position of the midpoint it holds, if any.
    /// </summary>
    /// <exception cref="InvalidOperationException">The map breaks what the buckets assume: a midpoint below 2^-23 in magnitude, or two in one bucket.</exception>
    private void FillBuckets()
    {
        float smallest = BitConverter.UInt32BitsToSingle(SmallestBucketed);
        if (SearchCode(-smallest) != SearchCode(smallest))
        {
            throw new InvalidOperationException("The dynamic map has a midpoint below 2^-23 in magnitude, where the bucket table clamps.");
        }

        foreach (uint negative in new[] { 0u, uint.MaxValue })
        {
            for (uint bucket = 0; bucket < BucketsPerSign; bucket++)
            {
                // The bucket's magnitudes: a 16-bit range of float bits; its lowest value is the smallest magnitude if positive, the largest if negative.
                uint low = SmallestBucketed + (bucket << BucketShift);
                uint high = low | PositionMask;
                uint sign = negative & 0x8000_0000u;
                int first = SearchCode(BitConverter.UInt32BitsToSingle((negative == 0 ? low : high) | sign));
                int last = SearchCode(BitConverter.UInt32BitsToSingle((negative == 0 ? high : low) | sign));
                if (last - first > 1)
                {
                    throw new InvalidOperationException($"A bucket of the dynamic map holds {last - first} midpoints, not at most one.");
                }

                // The midpoint crossed is the one that ends code `first`.
                uint threshold = last == first
                    ? PositionMask
                    : Position(BitConverter.SingleToUInt32Bits(_midpoints[first]) & 0x7FFF_FFFFu, negative);
                _buckets[Bucket(low, negative)] = ((uint)first << 16) | threshold;
            }
        }
    }

#if NET
    /// <summary>The vector width <paramref name="path"/> runs at here: 256 (Vector256 and Vector512), 128, or 0 (scalar).</summary>
    private static int VectorWidth(KernelPath path) => KernelDispatch.Resolve(path) switch
    {
        KernelPath.Vector512 or KernelPath.Vector256 when Vector256.IsHardwareAccelerated => 256,
        KernelPath.Scalar => 0,
        _ => Vector128.IsHardwareAccelerated ? 128 : 0,
    };

    /// <summary>Codes of <paramref name="values"/> over <paramref name="divisor"/>, 32 at a time with AVX2 gathers; returns how many were done.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private unsafe int QuantizeGathering(ReadOnlySpan<float> values, Span<byte> codes, float divisor)
    {
        int i = 0;
        var by = Vector256.Create(divisor);
        fixed (float* x = values)
        fixed (byte* c = codes)
        fixed (uint* buckets = _buckets)
        {
            for (; i <= values.Length - 32; i += 32)
            {
                Vector256<short> low = Vector256.Narrow(Codes(Avx.LoadVector256(x + i) / by, buckets), Codes(Avx.LoadVector256(x + i + 8) / by, buckets));
                Vector256<short> high = Vector256.Narrow(Codes(Avx.LoadVector256(x + i + 16) / by, buckets), Codes(Avx.LoadVector256(x + i + 24) / by, buckets));
                Avx.Store(c + i, Vector256.Narrow(low.AsUInt16(), high.AsUInt16()));
            }
        }

        return i;
    }

    /// <summary><see cref="Code"/> for eight values: the same arithmetic, the bucket entries gathered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Codes(Vector256<float> normalized, uint* buckets)
    {
        Vector256<uint> bits = normalized.AsUInt32();
        Vector256<uint> magnitude = Vector256.Min(Vector256.Max(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(SmallestBucketed)), Vector256.Create(OneBits));
        Vector256<uint> negative = Vector256.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32();
        Vector256<uint> bucket = Vector256.ShiftRightLogical(magnitude - Vector256.Create(SmallestBucketed), BucketShift) + (negative & Vector256.Create(BucketsPerSign));
        Vector256<int> entry = Avx2.GatherVector256((int*)buckets, bucket.AsInt32(), sizeof(uint));
        Vector256<int> position = ((magnitude ^ negative) & Vector256.Create(PositionMask)).AsInt32();
        // A comparison's true is -1: subtracting it adds one.
        return Vector256.ShiftRightLogical(entry, 16) - Vector256.GreaterThan(position, entry & Vector256.Create((int)PositionMask));
    }

    /// <summary>
    /// Codes of <paramref name="values"/> over <paramref name="divisor"/>, eight at a time in
    /// Vector128 (SSE, NEON): the division and the bucket arithmetic in vectors, the four entries
    /// of each vector loaded one by one (no gather there); returns how many were done.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private unsafe int QuantizeVector128(ReadOnlySpan<float> values, Span<byte> codes, float divisor)
    {
        int i = 0;
        var by = Vector128.Create(divisor);
        uint* bucket = stackalloc uint[Vector128<uint>.Count];
        fixed (float* x = values)
        fixed (byte* c = codes)
        fixed (uint* buckets = _buckets)
        {
            for (; i <= values.Length - 8; i += 8)
            {
                Vector128<short> both = Vector128.Narrow(Codes(Vector128.Load(x + i) / by, buckets, bucket), Codes(Vector128.Load(x + i + 4) / by, buckets, bucket));
                Unsafe.WriteUnaligned(c + i, Vector128.Narrow(both.AsUInt16(), Vector128<ushort>.Zero).AsUInt64().ToScalar());
            }
        }

        return i;
    }

    /// <summary><see cref="Code"/> for four values; <paramref name="bucket"/> is room for their four bucket numbers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<int> Codes(Vector128<float> normalized, uint* buckets, uint* bucket)
    {
        Vector128<uint> bits = normalized.AsUInt32();
        Vector128<uint> magnitude = Vector128.Min(Vector128.Max(bits & Vector128.Create(0x7FFF_FFFFu), Vector128.Create(SmallestBucketed)), Vector128.Create(OneBits));
        Vector128<uint> negative = Vector128.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32();
        Vector128.Store(Vector128.ShiftRightLogical(magnitude - Vector128.Create(SmallestBucketed), BucketShift) + (negative & Vector128.Create(BucketsPerSign)), bucket);
        Vector128<int> entry = Vector128.Create(buckets[bucket[0]], buckets[bucket[1]], buckets[bucket[2]], buckets[bucket[3]]).AsInt32();
        Vector128<int> position = ((magnitude ^ negative) & Vector128.Create(PositionMask)).AsInt32();
        return Vector128.ShiftRightLogical(entry, 16) - Vector128.GreaterThan(position, entry & Vector128.Create((int)PositionMask));
    }
#endif

    /// <summary>
    /// The largest |x| of <paramref name="values"/>; NaN when any is NaN. The same bits on every
    /// path: a maximum is exact, and NaN is found by its own test, not by a Max instruction's rule.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal static float AbsoluteMaximum(ReadOnlySpan<float> values, KernelPath path = KernelPath.Auto)
    {
        int i = 0;
        float absmax = 0f;
        bool nan = false;
#if NET
        ref float x = ref MemoryMarshal.GetReference(values);
        int width = VectorWidth(path);
        if (width == 256 && values.Length >= 2 * Vector256<float>.Count)
        {
            // Two maxima in flight, so each vector's maximum does not wait for the previous one.
            Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero, unordered = Vector256<float>.Zero;
            for (; i <= values.Length - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
            {
                Vector256<float> a = Vector256.Abs(Vector256.LoadUnsafe(ref x, (nuint)i));
                Vector256<float> b = Vector256.Abs(Vector256.LoadUnsafe(ref x, (nuint)(i + Vector256<float>.Count)));
                even = Vector256.Max(even, a);
                odd = Vector256.Max(odd, b);
                unordered |= ~Vector256.Equals(a, a) | ~Vector256.Equals(b, b);
            }

            nan = unordered != Vector256<float>.Zero;
            absmax = Largest(Vector256.Max(even, odd).GetLower(), Vector256.Max(even, odd).GetUpper());
        }
        else if (width > 0 && values.Length >= Vector128<float>.Count)
        {
            Vector128<float> max = Vector128<float>.Zero, unordered = Vector128<float>.Zero;
            for (; i <= values.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                Vector128<float> a = Vector128.Abs(Vector128.LoadUnsafe(ref x, (nuint)i));
                max = Vector128.Max(max, a);
                unordered |= ~Vector128.Equals(a, a);
            }

            nan = unordered != Vector128<float>.Zero;
            absmax = Largest(max, max);
        }
#endif

        for (; i < values.Length; i++)
        {
            float a = MathF.Abs(values.ItemAt(i));
            nan |= float.IsNaN(a);
            absmax = MathF.Max(absmax, a);
        }

        return nan ? float.NaN : absmax;
    }

#if NET
    /// <summary>The largest lane of two vectors of magnitudes without NaN.</summary>
    private static float Largest(Vector128<float> a, Vector128<float> b)
    {
        Vector128<float> max = Vector128.Max(a, b);
        float largest = 0f;
        for (int k = 0; k < Vector128<float>.Count; k++)
        {
            largest = MathF.Max(largest, max.GetElement(k));
        }

        return largest;
    }
#endif
}
