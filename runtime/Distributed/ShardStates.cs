using System;

namespace KernelGen.Distributed;

/// <summary>Copies a run of per-element state between two tensors in its storage type, bit for bit: floats, 16-bit patterns, or 8-bit codes with their block scales.</summary>
internal static class ShardStates
{
    /// <summary>
    /// Copies elements [<paramref name="sourceStart"/>, + <paramref name="length"/>) of state
    /// <paramref name="index"/> of <paramref name="source"/> to <paramref name="target"/> from
    /// <paramref name="targetStart"/> on. With 8-bit states both starts are multiples of the block
    /// length and the run ends on a block's end or at the end of both tensors (the cuts of
    /// <see cref="ShardPartition"/> for 8-bit states), so whole blocks move with their scales.
    /// </summary>
    /// <exception cref="InvalidOperationException">The two tensors store the state differently, or 8-bit runs are not whole blocks.</exception>
    public static void Copy(ParameterTensor source, int index, int sourceStart, ParameterTensor target, int targetStart, int length)
    {
        if (source.StateStorage != target.StateStorage)
        {
            throw new InvalidOperationException(
                $"A shard stores tensor {source.Index}'s states as {source.StateStorage} but this optimizer's piece stores them as {target.StateStorage}: the optimizer factory must give every shard the same StateStorage.");
        }

        if (length == 0)
        {
            return;
        }

        if (source.Quantized is { } from)
        {
            CopyBlocks(from.Buffer(index), sourceStart, target.Quantized!.Buffer(index), targetStart, length);
            return;
        }

        TensorMemory read = source.StateBuffer(index), write = target.StateBuffer(index);
        if (read.IsSingle)
        {
            read.Single.Span.Slice(sourceStart, length).CopyTo(write.Single.Span.Slice(targetStart, length));
        }
        else
        {
            read.Bits.Slice(sourceStart, length).CopyTo(write.Bits.Slice(targetStart, length));
        }
    }

    /// <summary>Copies whole blocks of 8-bit codes and their scales; the rest of the target keeps its own.</summary>
    private static void CopyBlocks(QuantizedBuffer source, int sourceStart, QuantizedBuffer target, int targetStart, int length)
    {
        const int mask = DynamicQuantizationMap.BlockLength - 1;
        bool endsTogether = sourceStart + length == source.Length && targetStart + length == target.Length;
        if ((sourceStart & mask) != 0 || (targetStart & mask) != 0 || ((length & mask) != 0 && !endsTogether))
        {
            throw new InvalidOperationException(
                $"8-bit states move in whole blocks of {DynamicQuantizationMap.BlockLength} elements, with their scales: elements [{sourceStart}, {sourceStart + length}) of a piece of {source.Length} into [{targetStart}, {targetStart + length}) of one of {target.Length} are not.");
        }

        // The buffer is replaced as a whole (codes and scales checked together), so the target's
        // other blocks are copied out and back.
        var codes = new byte[target.Length];
        target.CopyCodes(0, codes);
        source.CopyCodes(sourceStart, codes.AsSpan(targetStart, length));
        var scales = new float[target.BlockCount];
        target.CopyScales(0, scales);
        int blocks = (length + mask) >> DynamicQuantizationMap.BlockShift;
        source.CopyScales(sourceStart >> DynamicQuantizationMap.BlockShift, scales.AsSpan(targetStart >> DynamicQuantizationMap.BlockShift, blocks));
        target.Load(codes, scales);
    }
}
