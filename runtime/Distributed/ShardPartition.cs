using System;
using System.Collections.Generic;

namespace KernelGen.Distributed;

/// <summary>The elements [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Length"/>) of tensor <see cref="Tensor"/>, as one rank's shard holds them.</summary>
public readonly record struct ShardPiece(int Tensor, int Offset, int Length);

/// <summary>
/// How a list of tensors is cut into one contiguous shard per rank. The tensors' elements are
/// numbered as one flat vector (tensor 0 first); rank r holds [<see cref="Start"/>(r),
/// <see cref="Start"/>(r + 1)). Every cut lies where a tensor starts or at a multiple of 16
/// elements inside one (64 bytes: a slice of 64-byte aligned memory stays aligned, and no
/// Vector512 is split), as close below an even share as that allows.
/// </summary>
/// <remarks>
/// Under <see cref="StateStorage.Int8Blockwise"/> the cuts keep each shard's states those of one
/// process: inside a tensor of at least <see cref="Optimizer.MinimumQuantizedLength"/> elements
/// (whose states are 8-bit) a cut lies at a multiple of the 256-element block, so every block and
/// its absmax scale is one rank's, and every piece of such a tensor holds at least
/// <see cref="Optimizer.MinimumQuantizedLength"/> elements, so a shard's optimizer stores its
/// states in 8 bits too (a smaller piece would keep float32 states). A tensor below 8,192 elements
/// is then never cut, and a cut inside such tensors is the allowed one nearest an even share,
/// above or below. 16-bit states round each element on its own and need no other cut.
/// </remarks>
public sealed class ShardPartition
{
    /// <summary>The cuts fall at multiples of this many elements inside a tensor (64 bytes).</summary>
    public const int AlignmentElements = 16;

    private readonly int[] _lengths;
    private readonly long[] _tensorStarts;
    private readonly long[] _cuts;

    /// <summary>
    /// Cuts the tensors of <paramref name="tensorLengths"/> elements into <paramref name="worldSize"/>
    /// shards for an optimizer whose states are stored as <paramref name="stateStorage"/> (see the remarks).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The world size is below 1, a length is negative, or the storage is not a defined <see cref="KernelGen.StateStorage"/>.</exception>
    public ShardPartition(IReadOnlyList<int> tensorLengths, int worldSize, StateStorage stateStorage = StateStorage.Float32)
    {
        if (stateStorage is not (StateStorage.Float32 or StateStorage.BFloat16 or StateStorage.Float16 or StateStorage.Int8Blockwise))
        {
            throw new ArgumentOutOfRangeException(nameof(stateStorage), stateStorage, "Not a defined StateStorage.");
        }

        ArgumentNullException.ThrowIfNull(tensorLengths);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        _lengths = new int[tensorLengths.Count];
        _tensorStarts = new long[tensorLengths.Count + 1];
        for (int t = 0; t < _lengths.Length; t++)
        {
            if (tensorLengths[t] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(tensorLengths), tensorLengths[t], $"Tensor {t} has a negative length.");
            }

            _lengths[t] = tensorLengths[t];
            _tensorStarts[t + 1] = _tensorStarts[t] + _lengths[t];
        }

        WorldSize = worldSize;
        StateStorage = stateStorage;
        _cuts = new long[worldSize + 1];
        for (int r = 1; r < worldSize; r++)
        {
            _cuts[r] = Math.Max(_cuts[r - 1], AllowedCut(TotalElements * r / worldSize, _cuts[r - 1]));
        }

        _cuts[worldSize] = TotalElements;
    }

    /// <summary>The number of shards.</summary>
    public int WorldSize { get; }

    /// <summary>The state storage the cuts are made for (see the remarks).</summary>
    public StateStorage StateStorage { get; }

    /// <summary>The number of elements of all tensors together.</summary>
    public long TotalElements => _tensorStarts[^1];

    /// <summary>The tensors' lengths, in order.</summary>
    public IReadOnlyList<int> TensorLengths => _lengths;

    /// <summary>The flat index of rank <paramref name="rank"/>'s first element (<paramref name="rank"/> = <see cref="WorldSize"/>: the total).</summary>
    public long Start(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, WorldSize);
        return _cuts[rank];
    }

    /// <summary>The number of elements rank <paramref name="rank"/> holds.</summary>
    public int Count(int rank) => checked((int)(Start(rank + 1) - Start(rank)));

    /// <summary>
    /// Rank <paramref name="rank"/>'s shard as pieces of tensors, in tensor order. A tensor of no
    /// elements is one empty piece of the rank whose shard starts at or before its place (so a
    /// single shard holds every tensor); other empty pieces are left out.
    /// </summary>
    public IReadOnlyList<ShardPiece> Pieces(int rank)
    {
        long start = Start(rank), end = Start(rank + 1);
        var pieces = new List<ShardPiece>();
        for (int t = 0; t < _lengths.Length; t++)
        {
            long from = Math.Max(start, _tensorStarts[t]), to = Math.Min(end, _tensorStarts[t + 1]);
            bool emptyTensorHere = _lengths[t] == 0 && start <= _tensorStarts[t] && (_tensorStarts[t] < end || (rank == WorldSize - 1 && _tensorStarts[t] == end));
            if (from < to || emptyTensorHere)
            {
                pieces.Add(new ShardPiece(t, (int)(from - _tensorStarts[t]), (int)Math.Max(0, to - from)));
            }
        }

        return pieces;
    }

    /// <summary>The flat index of element <paramref name="offset"/> of tensor <paramref name="tensor"/>.</summary>
    public long FlatIndex(int tensor, int offset) => _tensorStarts[tensor] + offset;

    /// <summary>
    /// The cut for the even share <paramref name="target"/>, given the cut before it,
    /// <paramref name="previous"/>: the largest at or below it that is a tensor's start or a
    /// multiple of 16 inside a tensor; with 8-bit states, see the remarks.
    /// </summary>
    private long AllowedCut(long target, long previous)
    {
        int t = Array.BinarySearch(_tensorStarts, target);
        if (t >= 0)
        {
            return target;
        }

        t = ~t - 1;
        long start = _tensorStarts[t];
        int length = _lengths[t];
        if (StateStorage != StateStorage.Int8Blockwise || length < Optimizer.MinimumQuantizedLength)
        {
            return start + (target - start) / AlignmentElements * AlignmentElements;
        }

        // Here the allowed cuts are sparse (a tensor of 8,000 elements has only its ends), so the
        // nearer of the allowed cuts below and above the even share is taken.
        const int block = DynamicQuantizationMap.BlockLength, least = Optimizer.MinimumQuantizedLength;
        long end = start + length, lastInside = start + (length - least) / block * block;
        long earliest = previous > start ? previous + least : start + least; // the piece before holds at least the minimum
        long below = Math.Min(start + (target - start) / block * block, lastInside);
        if (below < earliest)
        {
            below = Math.Max(start, previous);
        }

        long above = Math.Max(start + (target - start + block - 1) / block * block, earliest);
        if (above > lastInside)
        {
            above = end;
        }

        return above - target < target - below ? above : below;
    }
}
