using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET
using System.Runtime.Intrinsics;
#endif

namespace KernelGen;

/// <summary>
/// Conversions between float32 and the 16-bit storage types, scalar and vector, with the same
/// bits on every path: widening is exact (a half NaN comes out quiet, as System.Half's own
/// conversion gives it), narrowing rounds to nearest, ties to even, and a NaN stays a quiet NaN
/// with its sign (bfloat16 also keeps the upper payload bits; half gives <c>0x7E00</c>). .NET 10 exposes no vector half conversion (no F16C), so half uses exact
/// integer code on every path; bfloat16 is shifts and an integer rounding add.
/// </summary>
internal static class StorageConversion
{
    // Half: float bit patterns used by the conversions (names as in the classic branchless code).
    private const uint HalfExponentInFloat = 0x7C00u << 13;            // a half's exponent field, shifted into a float's place
    private const uint HalfToFloatRebias = (127 - 15) << 23;           // exponent bias difference
    private const uint SmallestNormalHalfAsFloat = 113u << 23;         // 2^-14
    private const uint HalfOverflowAsFloat = (127 + 16) << 23;         // 2^16: at or above it rounds to infinity
    private const uint SubnormalMagic = 126u << 23;                    // 0.5: adding it rounds a subnormal half's bits into place
    private const uint QuietBit = 0x0040_0000u;                         // a float NaN's quiet bit
    private const uint FloatToHalfRebias = unchecked((uint)((15 - 127) << 23)) + 0xFFF; // rebias, plus the half-ulp less one

    /// <summary>bfloat16 bits to float: exact.</summary>
    public static float WidenBFloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>float to bfloat16 bits: to nearest, ties to even; NaN quiet.</summary>
    public static ushort NarrowBFloat16(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        return (u & 0x7FFF_FFFFu) > 0x7F80_0000u
            ? (ushort)((u >> 16) | 0x40)
            : (ushort)((u + 0x7FFFu + ((u >> 16) & 1)) >> 16);
    }

    /// <summary>half bits to float: exact (the value System.Half's conversion gives, NaN payloads included).</summary>
    public static float WidenHalf(ushort bits)
    {
        uint o = (bits & 0x7FFFu) << 13;
        uint exponent = o & HalfExponentInFloat;
        o += HalfToFloatRebias;
        if (exponent == HalfExponentInFloat)
        {
            o += HalfToFloatRebias; // infinity or NaN: the float exponent is all ones
            if ((bits & 0x3FFu) != 0)
            {
                o |= QuietBit; // a NaN comes out quiet, as System.Half's conversion gives it
            }
        }
        else if (exponent == 0)
        {
            // Zero or subnormal: let a float subtraction normalise it (exact).
            o = BitConverter.SingleToUInt32Bits(BitConverter.UInt32BitsToSingle(o + (1u << 23)) - BitConverter.UInt32BitsToSingle(SmallestNormalHalfAsFloat));
        }

        return BitConverter.UInt32BitsToSingle(o | ((bits & 0x8000u) << 16));
    }

    /// <summary>float to half bits: to nearest, ties to even; NaN becomes a quiet NaN with its sign.</summary>
    public static ushort NarrowHalf(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        uint sign = u & 0x8000_0000u;
        uint a = u ^ sign;
        uint o;
        if (a >= HalfOverflowAsFloat)
        {
            o = a > 0x7F80_0000u ? 0x7E00u : 0x7C00u;
        }
        else if (a < SmallestNormalHalfAsFloat)
        {
            o = BitConverter.SingleToUInt32Bits(BitConverter.UInt32BitsToSingle(a) + BitConverter.UInt32BitsToSingle(SubnormalMagic)) - SubnormalMagic;
        }
        else
        {
            o = (a + FloatToHalfRebias + ((a >> 13) & 1)) >> 13;
        }

        return (ushort)(o | (sign >> 16));
    }

    /// <summary>Widens <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Widen(StateStorage type, ReadOnlySpan<ushort> source, Span<float> destination, KernelPath path)
    {
        bool half = type == StateStorage.Float16;
        ref ushort from = ref MemoryMarshal.GetReference(source);
        ref uint to = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        nuint length = (nuint)source.Length;
        nuint i = 0;
#if NET
        if (path is KernelPath.Vector512 or KernelPath.Vector256)
        {
            for (; i + 16 <= length; i += 16)
            {
                Vector256<ushort> bits = Vector256.LoadUnsafe(ref from, i);
                Vector256<uint> low = Vector256.WidenLower(bits);
                Vector256<uint> high = Vector256.WidenUpper(bits);
                Vector256.StoreUnsafe(half ? WidenHalf(low) : low << 16, ref to, i);
                Vector256.StoreUnsafe(half ? WidenHalf(high) : high << 16, ref to, i + 8);
            }
        }

        if (path is not KernelPath.Scalar)
        {
            for (; i + 8 <= length; i += 8)
            {
                Vector128<ushort> bits = Vector128.LoadUnsafe(ref from, i);
                Vector128<uint> low = Vector128.WidenLower(bits);
                Vector128<uint> high = Vector128.WidenUpper(bits);
                Vector128.StoreUnsafe(half ? WidenHalf(low) : low << 16, ref to, i);
                Vector128.StoreUnsafe(half ? WidenHalf(high) : high << 16, ref to, i + 4);
            }
        }
#endif

        for (; i < length; i++)
        {
            ushort bits = Unsafe.Add(ref from, i);
            Unsafe.Add(ref to, i) = BitConverter.SingleToUInt32Bits(half ? WidenHalf(bits) : WidenBFloat16(bits));
        }
    }

    /// <summary>Narrows <paramref name="source"/> into <paramref name="destination"/> (same length), to nearest, ties to even.</summary>
    public static void Narrow(StateStorage type, ReadOnlySpan<float> source, Span<ushort> destination, KernelPath path)
    {
        bool half = type == StateStorage.Float16;
        ref uint from = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
        ref ushort to = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;
#if NET
        if (path is KernelPath.Vector512 or KernelPath.Vector256)
        {
            for (; i + 16 <= length; i += 16)
            {
                Vector256<uint> low = Vector256.LoadUnsafe(ref from, i);
                Vector256<uint> high = Vector256.LoadUnsafe(ref from, i + 8);
                Vector256<ushort> bits = half
                    ? Vector256.Narrow(NarrowHalf(low), NarrowHalf(high))
                    : Vector256.Narrow(NarrowBFloat16(low), NarrowBFloat16(high));
                Vector256.StoreUnsafe(bits, ref to, i);
            }
        }

        if (path is not KernelPath.Scalar)
        {
            for (; i + 8 <= length; i += 8)
            {
                Vector128<uint> low = Vector128.LoadUnsafe(ref from, i);
                Vector128<uint> high = Vector128.LoadUnsafe(ref from, i + 4);
                Vector128<ushort> bits = half
                    ? Vector128.Narrow(NarrowHalf(low), NarrowHalf(high))
                    : Vector128.Narrow(NarrowBFloat16(low), NarrowBFloat16(high));
                Vector128.StoreUnsafe(bits, ref to, i);
            }
        }
#endif

        for (; i < length; i++)
        {
            float value = BitConverter.UInt32BitsToSingle(Unsafe.Add(ref from, i));
            Unsafe.Add(ref to, i) = half ? NarrowHalf(value) : NarrowBFloat16(value);
        }
    }

#if NET
    // The vector forms below compute, lane by lane, what the scalar forms above compute. The
    // generated stored loops call them too (KernelGen.Internal.BFloat16Storage, Float16Storage).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> WidenHalf(Vector256<uint> bits)
    {
        Vector256<uint> o = (bits & Vector256.Create(0x7FFFu)) << 13;
        Vector256<uint> exponent = o & Vector256.Create(HalfExponentInFloat);
        o += Vector256.Create(HalfToFloatRebias);
        Vector256<uint> special = Vector256.Equals(exponent, Vector256.Create(HalfExponentInFloat));
        o += special & Vector256.Create(HalfToFloatRebias);
        o |= Vector256.GreaterThan(bits & Vector256.Create(0x7FFFu), Vector256.Create(0x7C00u)) & Vector256.Create(QuietBit);
        Vector256<uint> subnormal = (o + Vector256.Create(1u << 23)).AsSingle().Minus(SmallestNormalHalfAsFloat).AsUInt32();
        o = Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256<uint>.Zero), subnormal, o);
        return o | ((bits & Vector256.Create(0x8000u)) << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> WidenHalf(Vector128<uint> bits)
    {
        Vector128<uint> o = (bits & Vector128.Create(0x7FFFu)) << 13;
        Vector128<uint> exponent = o & Vector128.Create(HalfExponentInFloat);
        o += Vector128.Create(HalfToFloatRebias);
        Vector128<uint> special = Vector128.Equals(exponent, Vector128.Create(HalfExponentInFloat));
        o += special & Vector128.Create(HalfToFloatRebias);
        o |= Vector128.GreaterThan(bits & Vector128.Create(0x7FFFu), Vector128.Create(0x7C00u)) & Vector128.Create(QuietBit);
        Vector128<uint> subnormal = (o + Vector128.Create(1u << 23)).AsSingle().Minus(SmallestNormalHalfAsFloat).AsUInt32();
        o = Vector128.ConditionalSelect(Vector128.Equals(exponent, Vector128<uint>.Zero), subnormal, o);
        return o | ((bits & Vector128.Create(0x8000u)) << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> NarrowHalf(Vector256<uint> u)
    {
        Vector256<uint> sign = u & Vector256.Create(0x8000_0000u);
        Vector256<uint> a = u ^ sign;
        Vector256<uint> special = Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256.Create(0x7F80_0000u)), Vector256.Create(0x7E00u), Vector256.Create(0x7C00u));
        Vector256<uint> subnormal = (a.AsSingle() + Vector256.Create(SubnormalMagic).AsSingle()).AsUInt32() - Vector256.Create(SubnormalMagic);
        Vector256<uint> normal = (a + Vector256.Create(FloatToHalfRebias) + ((a >> 13) & Vector256<uint>.One)) >> 13;
        Vector256<uint> o = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SmallestNormalHalfAsFloat)), subnormal, normal);
        o = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(HalfOverflowAsFloat)), special, o);
        return o | (sign >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> NarrowHalf(Vector128<uint> u)
    {
        Vector128<uint> sign = u & Vector128.Create(0x8000_0000u);
        Vector128<uint> a = u ^ sign;
        Vector128<uint> special = Vector128.ConditionalSelect(Vector128.GreaterThan(a, Vector128.Create(0x7F80_0000u)), Vector128.Create(0x7E00u), Vector128.Create(0x7C00u));
        Vector128<uint> subnormal = (a.AsSingle() + Vector128.Create(SubnormalMagic).AsSingle()).AsUInt32() - Vector128.Create(SubnormalMagic);
        Vector128<uint> normal = (a + Vector128.Create(FloatToHalfRebias) + ((a >> 13) & Vector128<uint>.One)) >> 13;
        Vector128<uint> o = Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(SmallestNormalHalfAsFloat)), subnormal, normal);
        o = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(a, Vector128.Create(HalfOverflowAsFloat)), special, o);
        return o | (sign >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> NarrowBFloat16(Vector256<uint> u) => RoundBFloat16High(u) >> 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> NarrowBFloat16(Vector128<uint> u) => RoundBFloat16High(u) >> 16;

    /// <summary>
    /// Each lane rounded to bfloat16, in the lane's upper half (the lower half is left over): the
    /// narrowing without its final shift, for code that takes the upper halves as they are.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> RoundBFloat16High(Vector256<uint> u)
    {
        Vector256<uint> rounded = u + Vector256.Create(0x7FFFu) + ((u << 15) >> 31); // plus the lowest bit kept: ties to even
        Vector256<uint> nan = u | Vector256.Create(0x40u << 16);
        return Vector256.ConditionalSelect(Vector256.Equals(u.AsSingle(), u.AsSingle()).AsUInt32(), rounded, nan); // unequal to itself: NaN
    }

    /// <inheritdoc cref="RoundBFloat16High(Vector256{uint})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> RoundBFloat16High(Vector128<uint> u)
    {
        Vector128<uint> rounded = u + Vector128.Create(0x7FFFu) + ((u << 15) >> 31); // plus the lowest bit kept: ties to even
        Vector128<uint> nan = u | Vector128.Create(0x40u << 16);
        return Vector128.ConditionalSelect(Vector128.Equals(u.AsSingle(), u.AsSingle()).AsUInt32(), rounded, nan); // unequal to itself: NaN
    }

    private static Vector256<float> Minus(this Vector256<float> value, uint bits) => value - Vector256.Create(bits).AsSingle();

    private static Vector128<float> Minus(this Vector128<float> value, uint bits) => value - Vector128.Create(bits).AsSingle();
#endif
}
