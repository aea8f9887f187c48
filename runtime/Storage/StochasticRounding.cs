using System;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// Stochastic rounding to a 16-bit storage type: a value between two neighbours rounds up (away
/// from zero) with probability equal to the fraction of the gap it covers, so the stored value is
/// unbiased. The random bits come from <see cref="Philox"/> with counter (element / 4, tensor,
/// step, buffer) and the seed as key: a pure function of where the value goes, so the bits are
/// the same on every path, for any thread count or chunking, and after a checkpoint resume.
/// </summary>
internal static class StochasticRounding
{
    /// <summary>
    /// Narrows <paramref name="source"/> into <paramref name="destination"/>; <paramref name="firstElement"/>
    /// is the index, in its tensor, of the first element.
    /// </summary>
    public static void Narrow(StateStorage type, ReadOnlySpan<float> source, Span<ushort> destination, in RoundingKey key, int firstElement)
    {
        (uint r0, uint r1, uint r2, uint r3) = default((uint, uint, uint, uint));
        for (int i = 0; i < source.Length; i++)
        {
            int element = firstElement + i;
            if (i == 0 || (element & 3) == 0)
            {
                (r0, r1, r2, r3) = key.Draw(element >> 2);
            }

            uint random = (element & 3) switch { 0 => r0, 1 => r1, 2 => r2, _ => r3 };
            float value = source.ItemAt(i);
            destination[i] = type == StateStorage.Float16 ? ToHalf(value, random) : ToBFloat16(value, random);
        }
    }

    /// <summary>bfloat16 keeps a float's upper 16 bits: adding 16 random bits below them carries into the kept part with probability equal to the discarded fraction.</summary>
    public static ushort ToBFloat16(float value, uint random)
    {
        if (float.IsNaN(value))
        {
            return StorageConversion.NarrowBFloat16(value);
        }

        uint u = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((u + (random & 0xFFFFu)) >> 16); // infinity has zero low bits, so it stays infinity
    }

    /// <summary>
    /// Half keeps 10 of a normal float's 23 mantissa bits: 13 random bits added below carry with the
    /// discarded fraction's probability. Below half's smallest normal the gap is 2^-24 everywhere:
    /// the value in units of 2^-24 is split into whole units and a fraction, and 24 random bits decide.
    /// At and beyond half's largest finite value, and for NaN, rounding is to nearest.
    /// </summary>
    public static ushort ToHalf(float value, uint random)
    {
        float magnitude = MathF.Abs(value);
        if (!(magnitude < 65504f))
        {
            return StorageConversion.NarrowHalf(value);
        }

        uint sign = (BitConverter.SingleToUInt32Bits(value) >> 16) & 0x8000u;
        uint bits;
        if (magnitude < 6.1035156e-05f) // 2^-14
        {
            float units = magnitude * 16777216f; // exact: a power of two
            float whole = MathF.Floor(units);
            float fraction = units - whole; // exact
            bits = (uint)whole + ((random >> 8) < fraction * 16777216f ? 1u : 0u);
        }
        else
        {
            uint a = BitConverter.SingleToUInt32Bits(magnitude);
            bits = ((a + (random & 0x1FFFu)) >> 13) - ((127 - 15) << 10);
        }

        return (ushort)(bits | sign);
    }
}

/// <summary>What the random bits of a stochastically rounded store are keyed by, besides the element.</summary>
internal readonly record struct RoundingKey(ulong Seed, int Step, int Tensor, int Buffer)
{
    /// <summary>The four random words of elements 4·<paramref name="group"/> to 4·<paramref name="group"/> + 3.</summary>
    public (uint, uint, uint, uint) Draw(int group) =>
        Philox.Generate((uint)group, (uint)Tensor, (uint)Step, (uint)Buffer, (uint)Seed, (uint)(Seed >> 32));
}
