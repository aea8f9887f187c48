using System;

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
        foreach (int count in counts)
        {
            if (count < 0)
            {
                throw new ArgumentException($"A count is negative ({count}).", nameof(counts));
            }

            total += count;
        }

        if (local.Length != counts[communicator.Rank])
        {
            throw new ArgumentException($"Rank {communicator.Rank} sends {counts[communicator.Rank]} values, but its block holds {local.Length}.", nameof(local));
        }

        if (gathered.Length != total)
        {
            throw new ArgumentException($"The gathered blocks hold {total} values, but the destination holds {gathered.Length}.", nameof(gathered));
        }
    }
}
