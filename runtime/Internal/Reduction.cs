using System;
using System.ComponentModel;

namespace KernelGen.Internal;

/// <summary>
/// The canonical order of per-tensor reductions, the same on every path so that every path
/// gives the same bits: element i of the whole blocks of <see cref="Lanes"/> elements is
/// accumulated into lane i mod 16, in increasing i (a Vector512 is one block; Vector256 two
/// vectors, Vector128 four, scalar 16 accumulators); the elements after the last whole block
/// are summed in order into a tail; then the lanes combine in a fixed tree and the tail is added.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Reduction
{
    /// <summary>The number of lane accumulators: one Vector512 of floats.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Combines 16 lane sums pairwise (lane j with lane j + 8, then j + 4, j + 2, j + 1) and adds
    /// the tail: <c>((((l0 + l8) + (l4 + l12)) + ...) + tail</c>.
    /// </summary>
    public static float Combine(ReadOnlySpan<float> lanes, float tail)
    {
        if (lanes.Length != Lanes)
        {
            throw new ArgumentException($"Expected {Lanes} lane sums, got {lanes.Length}.", nameof(lanes));
        }

        Span<float> sums = stackalloc float[Lanes];
        lanes.CopyTo(sums);
        for (int width = Lanes / 2; width >= 1; width /= 2)
        {
            for (int j = 0; j < width; j++)
            {
                sums[j] += sums[j + width];
            }
        }

        return sums[0] + tail;
    }

    /// <summary><see cref="Combine(ReadOnlySpan{float}, float)"/> in any float type (the interpreter's double mode).</summary>
    public static T Combine<T>(ReadOnlySpan<T> lanes, T tail)
        where T : struct
    {
        if (lanes.Length != Lanes)
        {
            throw new ArgumentException($"Expected {Lanes} lane sums, got {lanes.Length}.", nameof(lanes));
        }

        var sums = new T[Lanes]; // generic T cannot be stackalloc'd; the interpreter allocates anyway
        lanes.CopyTo(sums);
        for (int width = Lanes / 2; width >= 1; width /= 2)
        {
            for (int j = 0; j < width; j++)
            {
                sums[j] = RuleMath.Add(sums[j], sums[j + width]);
            }
        }

        return RuleMath.Add(sums[0], tail);
    }
}
