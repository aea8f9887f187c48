using System;

namespace KernelGen;

/// <summary>
/// The 8-bit states of one tensor, or of one chunk of it in a parallel step (a view of the
/// tensor's buffers from a block boundary on), and the float workspace a step runs the rule's
/// kernel on: a group of blocks is dequantized into it, stepped by the float32 kernel, and
/// quantized back.
/// </summary>
internal sealed class QuantizedStates
{
    /// <summary>Elements stepped per kernel call: 16 blocks, so the kernel's per-call work is spread thin and the workspace stays in the L2 cache.</summary>
    public const int GroupLength = 16 * DynamicQuantizationMap.BlockLength;

    private readonly QuantizedBuffer[] _buffers;
    private readonly int _start;
    private readonly Memory<float>[] _workspace;

    /// <summary>States of a whole tensor of <paramref name="length"/> elements, one buffer per map.</summary>
    public QuantizedStates(int length, DynamicQuantizationMap[] maps, int tensorStateCount)
        : this(Buffers(length, maps), 0, length, tensorStateCount)
    {
    }

    private QuantizedStates(QuantizedBuffer[] buffers, int start, int length, int tensorStateCount)
    {
        _buffers = buffers;
        _start = start;
        _workspace = new Memory<float>[buffers.Length];
        int groupLength = Math.Min(GroupLength, length);
        for (int i = 0; i < _workspace.Length; i++)
        {
            _workspace[i] = new AlignedBuffer(groupLength).Memory;
        }

        _group = ParameterTensor.Workspace(_workspace, tensorStateCount);
    }

    private readonly ParameterTensor _group;

    /// <summary>
    /// The tensor the kernel steps for elements [start, start + length) of <paramref name="tensor"/>
    /// (this view's tensor): their parameter and gradient, its step count, and float states in the
    /// workspace (not filled: see <see cref="Dequantize"/>).
    /// </summary>
    public ParameterTensor Group(ParameterTensor tensor, int start, int length)
    {
        _group.Bind(tensor.Parameter.Slice(start, length), tensor.Gradient.Slice(start, length), tensor.Step, _workspace);
        return _group;
    }

    /// <summary>The number of states.</summary>
    public int Count => _buffers.Length;

    /// <summary>State <paramref name="index"/>'s buffer (shared by the tensor and its chunks).</summary>
    public QuantizedBuffer Buffer(int index) => _buffers[index];

    /// <summary>Elements [start, start + length) of this tensor's states (start a multiple of the block length), with a workspace of their own.</summary>
    public QuantizedStates Slice(int start, int length, int tensorStateCount) => new(_buffers, _start + start, length, tensorStateCount);

    /// <summary>Writes state <paramref name="index"/>'s elements [start, start + values.Length) of this view as floats (the same bits on every path).</summary>
    public void Dequantize(int index, int start, Span<float> values, KernelPath path) => _buffers[index].Dequantize(_start + start, values, path);

    /// <summary>Stores <paramref name="values"/> as state <paramref name="index"/>'s elements from <paramref name="start"/> of this view on (the same codes on every path).</summary>
    public void Quantize(int index, int start, ReadOnlySpan<float> values, KernelPath path) => _buffers[index].Quantize(_start + start, values, path);

    private static QuantizedBuffer[] Buffers(int length, DynamicQuantizationMap[] maps)
    {
        var buffers = new QuantizedBuffer[maps.Length];
        for (int i = 0; i < maps.Length; i++)
        {
            buffers[i] = new QuantizedBuffer(length, maps[i]);
        }

        return buffers;
    }
}
