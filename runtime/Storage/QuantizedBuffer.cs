using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// One per-element state buffer stored as 8-bit codes of a <see cref="DynamicQuantizationMap"/>,
/// with one absmax scale per block of <see cref="DynamicQuantizationMap.BlockLength"/> elements.
/// The codes and scales are allocated when the state is first used (a state a rule leaves alone
/// under its settings, such as AMSGrad's maximum, costs nothing until then); until then every value is 0.
/// </summary>
internal sealed class QuantizedBuffer
{
    private byte[]? _codes;
    private float[]? _scales;

    public QuantizedBuffer(int length, DynamicQuantizationMap map)
    {
        Length = length;
        Map = map;
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The map the codes index.</summary>
    public DynamicQuantizationMap Map { get; }

    /// <summary>The number of blocks (and scales): the last may be shorter than a full block.</summary>
    public int BlockCount => (Length + DynamicQuantizationMap.BlockLength - 1) >> DynamicQuantizationMap.BlockShift;

    /// <summary>Whether the codes and scales exist (see the class remarks).</summary>
    public bool IsAllocated => _codes is not null;

    /// <summary>The bytes the codes and scales take once allocated.</summary>
    public long AllocatedBytes => IsAllocated ? Length + (long)BlockCount * sizeof(float) : 0;

    /// <summary>Allocates the codes (of zero) and scales (0), unless they exist.</summary>
    public void Allocate()
    {
        if (_codes is null)
        {
            var codes = new byte[Length];
            codes.AsSpan().Fill(Map.ZeroCode);
            _scales = new float[BlockCount];
            _codes = codes;
        }
    }

    /// <summary>Writes elements [start, start + values.Length) as floats; <paramref name="start"/> is a multiple of the block length.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Dequantize(int start, Span<float> values, KernelPath path)
    {
        if (_codes is null)
        {
            values.Clear();
            return;
        }

        Dequantize(Map, _codes.AsSpan(start, values.Length), _scales!.AsSpan(start >> DynamicQuantizationMap.BlockShift), values, path);
    }

    /// <summary>
    /// Stores <paramref name="values"/> as elements [start, start + values.Length); <paramref name="start"/>
    /// is a multiple of the block length, and the values end on a block's end or the buffer's.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Quantize(int start, ReadOnlySpan<float> values, KernelPath path)
    {
        Allocate();
        int block = start >> DynamicQuantizationMap.BlockShift;
        for (int i = 0; i < values.Length; i += DynamicQuantizationMap.BlockLength, block++)
        {
            int length = Math.Min(DynamicQuantizationMap.BlockLength, values.Length - i);
            Map.QuantizeBlock(values.Slice(i, length), _codes.AsSpan(start + i, length), out _scales![block], path);
        }
    }

    /// <summary>Copies codes [start, start + destination.Length) (zero's code when not allocated).</summary>
    public void CopyCodes(int start, Span<byte> destination)
    {
        if (_codes is null)
        {
            destination.Fill(Map.ZeroCode);
        }
        else
        {
            _codes.AsSpan(start, destination.Length).CopyTo(destination);
        }
    }

    /// <summary>Copies scales [start, start + destination.Length) (0 when not allocated).</summary>
    public void CopyScales(int start, Span<float> destination)
    {
        if (_scales is null)
        {
            destination.Clear();
        }
        else
        {
            _scales.AsSpan(start, destination.Length).CopyTo(destination);
        }
    }

    /// <summary>Replaces every code and scale (a checkpoint's, checked to have the right lengths).</summary>
    public void Load(ReadOnlySpan<byte> codes, ReadOnlySpan<float> scales)
    {
        if (!IsAllocated && !codes.ContainsAnyExcept(Map.ZeroCode) && !scales.ContainsAnyExcept(0f))
        {
            return; // a state not used yet stays unallocated
        }

        Allocate();
        codes.CopyTo(_codes);
        scales.CopyTo(_scales);
    }

    /// <summary>Writes every element's value: map value of its code times its block's scale (the same bits on every path).</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static void Dequantize(DynamicQuantizationMap map, ReadOnlySpan<byte> codes, ReadOnlySpan<float> scales, Span<float> values, KernelPath path = KernelPath.Auto)
    {
        for (int i = 0, block = 0; i < codes.Length; i += DynamicQuantizationMap.BlockLength, block++)
        {
            int length = Math.Min(DynamicQuantizationMap.BlockLength, codes.Length - i);
            map.DequantizeBlock(codes.Slice(i, length), scales.ItemAt(block), values.Slice(i, length), path);
        }
    }
}
