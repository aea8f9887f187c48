using System;
using KernelGen.Internal;

namespace KernelGen.Distributed;

/// <summary>Argument checks every <see cref="ICommunicator"/> makes the same way.</summary>
public static class Collectives
{
    /// <summary>
    /// Checks an <see cref="ICommunicator.AllGather"/> call: one count per rank, none negative,
    /// <paramref name="local"/> as long as this rank's count and <paramref name="gathered"/> as long as their sum.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void CheckGather(ICommunicator communicator, ReadOnlySpan<float> local, ReadOnlySpan<float> gathered, ReadOnlySpan<int> counts)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (counts.Length != communicator.WorldSize)
        {
            throw new ArgumentException($"An all-gather takes one count per rank: {communicator.WorldSize}, not {counts.Length}.", nameof(counts));
        }

        long total = 0;
        for (int r = 0; r < counts.Length; r++)
        {
            int count = counts.ItemAt(r);
            if (count < 0)
            {
                throw new ArgumentException($"A count is negative ({count}).", nameof(counts));
            }

            total += count;
        }

        int localCount = counts.ItemAt(communicator.Rank);
        if (local.Length != localCount)
        {
            throw new ArgumentException($"Rank {communicator.Rank} sends {localCount} values, but its block holds {local.Length}.", nameof(local));
        }

        if (gathered.Length != total)
        {
            throw new ArgumentException($"The gathered blocks hold {total} values, but the destination holds {gathered.Length}.", nameof(gathered));
        }
    }
}
