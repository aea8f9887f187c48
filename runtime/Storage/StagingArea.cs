using System;

namespace KernelGen;

/// <summary>
/// Per-thread float32 buffers that blocks of 16-bit tensors are widened into for a step, and the
/// float32 tensor that points at them. Grown when a step needs more, then reused: steps allocate
/// nothing once every thread has seen its largest block.
/// </summary>
internal sealed class StagingArea
{
    [ThreadStatic]
    private static StagingArea? t_area;

    private AlignedBuffer[] _buffers = Array.Empty<AlignedBuffer>();
    private ParameterTensor? _tensor;

    /// <summary>The calling thread's area.</summary>
    public static StagingArea ForThisThread => t_area ??= new StagingArea();

    /// <summary>Buffer <paramref name="slot"/> (0 parameter, 1 gradient, 2 + i state i), <paramref name="length"/> elements long.</summary>
    public Memory<float> Buffer(int slot, int length)
    {
        if (slot >= _buffers.Length)
        {
            Array.Resize(ref _buffers, slot + 1);
        }

        if (_buffers[slot] is null || _buffers[slot].Length < length)
        {
            _buffers[slot] = new AlignedBuffer(Math.Max(length, Optimizer.StagingBlock));
        }

        return _buffers[slot].Memory[..length];
    }

    /// <summary>The staging tensor for a rule with these counts.</summary>
    public ParameterTensor Tensor(int stateCount, int tensorStateCount)
    {
        if (_tensor is null || _tensor.StateCount != stateCount || _tensor.TensorStateCount != tensorStateCount)
        {
            _tensor = new ParameterTensor(stateCount, tensorStateCount);
        }

        return _tensor;
    }
}
