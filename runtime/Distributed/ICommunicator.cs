using System;

namespace KernelGen.Distributed;

/// <summary>
/// The one collective a <see cref="ShardedOptimizer"/> needs from its transport (MPI, a socket
/// library, threads in one process): an all-gather of float blocks in rank order. Every rank
/// calls it at the same point with the same <c>counts</c>.
/// </summary>
/// <remarks>
/// Sums are not asked of the transport on purpose: the order in which an all-reduce adds the
/// ranks' values is the transport's choice (MPI leaves it to the implementation), and a different
/// order is a different float result. The sharded optimizer gathers and adds in a fixed order
/// itself (<see cref="OrderedSum"/>), so its bits do not depend on the transport.
/// </remarks>
public interface ICommunicator
{
    /// <summary>This process's rank, in [0, <see cref="WorldSize"/>).</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int WorldSize { get; }

    /// <summary>
    /// Writes every rank's <paramref name="local"/> block into <paramref name="gathered"/>, in rank
    /// order: rank 0's <c>counts[0]</c> values first, then rank 1's, and so on.
    /// <paramref name="local"/> holds <c>counts[Rank]</c> values; <paramref name="gathered"/> holds
    /// the sum of <paramref name="counts"/> and does not overlap <paramref name="local"/>.
    /// </summary>
    void AllGather(ReadOnlySpan<float> local, Span<float> gathered, ReadOnlySpan<int> counts);
}

/// <summary>One process, rank 0 of 1: the gather is a copy. For merging shard checkpoints and single-process runs of sharded code.</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int WorldSize => 1;

    /// <inheritdoc/>
    public void AllGather(ReadOnlySpan<float> local, Span<float> gathered, ReadOnlySpan<int> counts)
    {
        Collectives.CheckGather(this, local, gathered, counts);
        local.CopyTo(gathered);
    }
}
