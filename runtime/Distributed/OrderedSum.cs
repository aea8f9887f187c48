using System;
using KernelGen.Internal;

namespace KernelGen.Distributed;

/// <summary>How <see cref="ShardedOptimizer.ReduceGradients"/> combines the micro-batches' gradients.</summary>
public enum GradientReduction
{
    /// <summary>Their sum.</summary>
    Sum,

    /// <summary>Their sum divided by the number of micro-batches (torch DistributedDataParallel's average).</summary>
    Mean,
}

/// <summary>
/// The one order in which a sharded run adds gradients: block by block, first to last. A
/// single-process run that calls it on the same blocks gets the same bits.
/// </summary>
public static class OrderedSum
{
    /// <summary>
    /// Writes, for each element i, <c>((b0[i] + b1[i]) + b2[i]) + ...</c> over the
    /// <paramref name="blockCount"/> consecutive blocks of <paramref name="blocks"/> into
    /// <paramref name="destination"/>, then divides it by the block count in float under
    /// <see cref="GradientReduction.Mean"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The blocks are not <paramref name="blockCount"/> blocks of the destination's length, or the destination overlaps them.</exception>
    public static void Sum(ReadOnlySpan<float> blocks, int blockCount, Span<float> destination, GradientReduction reduction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        int n = destination.Length;
        if (blocks.Length != (long)blockCount * n)
        {
            throw new ArgumentException($"{blockCount} blocks of {n} values are {(long)blockCount * n} values, not {blocks.Length}.", nameof(blocks));
        }

        if (blocks.Overlaps(destination))
        {
            throw new ArgumentException("The destination overlaps the blocks.", nameof(destination));
        }

        blocks.Slice(0, n).CopyTo(destination);
        for (int b = 1; b < blockCount; b++)
        {
            ReadOnlySpan<float> block = blocks.Slice(b * n, n);
            for (int i = 0; i < n; i++)
            {
                destination[i] += block.ItemAt(i);
            }
        }

        if (reduction == GradientReduction.Mean && blockCount > 1)
        {
            float count = blockCount;
            for (int i = 0; i < n; i++)
            {
                destination[i] /= count;
            }
        }
    }
}
