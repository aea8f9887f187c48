using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// One parameter tensor registered with an <see cref="Optimizer"/>: the caller's parameter and
/// gradient memory, and the optimizer's state for it, allocated once at registration.
/// </summary>
public sealed partial class ParameterTensor
{
    private readonly Memory<float>[] _states;
    private readonly float[] _tensorStates;
    private ParameterTensor[] _chunks = Array.Empty<ParameterTensor>();

    /// <summary>A registered tensor; its states are 8-bit codes of <paramref name="quantizationMaps"/> (one per state) when given, else floats.</summary>
    internal ParameterTensor(int index, Memory<float> parameter, Memory<float> gradient, int stateCount, int tensorStateCount, DynamicQuantizationMap[]? quantizationMaps = null)
    {
        Index = index;
        Parameter = parameter;
        Gradient = gradient;
        _states = new Memory<float>[stateCount];
        if (quantizationMaps is not null)
        {
            _quantized = new QuantizedStates(parameter.Length, quantizationMaps, tensorStateCount);
        }
        else
        {
            for (int i = 0; i < stateCount; i++)
            {
                _states[i] = new AlignedBuffer(parameter.Length).Memory;

                // Zero already, but perhaps in pages the OS has not mapped yet: written now, at
                // registration, so the first step does not pay a page fault per 4 KiB of state.
                _states[i].Span.Clear();
            }
        }

        _tensorStates = new float[tensorStateCount];
    }

    /// <summary>A view of elements [start, start + length) of <paramref name="whole"/>, with per-tensor state of its own.</summary>
    private ParameterTensor(ParameterTensor whole, int start, int length)
    {
        Index = whole.Index;
        Parameter = whole.Parameter.Slice(start, length);
        Gradient = whole.Gradient.Slice(start, length);
        _states = new Memory<float>[whole._states.Length];
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i] = whole._states[i].IsEmpty ? default : whole._states[i].Slice(start, length);
        }

        _quantized = whole._quantized?.Slice(start, length, whole._tensorStates.Length);

        _tensorStates = new float[whole._tensorStates.Length];
    }

    /// <summary>The position of this tensor in <see cref="Optimizer.Tensors"/>.</summary>
    public int Index { get; }

    /// <summary>The parameter values, updated in place by each step.</summary>
    public Memory<float> Parameter { get; private set; }

    /// <summary>The gradient the next step reads. The optimizer never writes it.</summary>
    public Memory<float> Gradient { get; private set; }

    /// <summary>The number of steps taken on this tensor (the rule's step count is this plus one).</summary>
    public int Step { get; internal set; }

    /// <summary>The number of elements.</summary>
    public int Length => Parameter.Length;

    /// <summary>Per-element state buffer <paramref name="index"/>, in the rule's order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="StateCount"/>.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public Span<float> State(int index) => StateMemory(index).Span;

    /// <summary>
    /// Per-element state buffer <paramref name="index"/> as memory, to hand to another kernel that
    /// keeps it (the schedule-free train/eval switch reads z through it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="StateCount"/>.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public Memory<float> StateMemory(int index)
    {
        CheckIndex(index, _states.Length, "per-element state buffer");
        ThrowIfQuantized();
        return _states[index];
    }

    /// <summary>Per-tensor state value <paramref name="index"/>, in the rule's order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="TensorStateCount"/>.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public ref float TensorState(int index)
    {
        CheckIndex(index, _tensorStates.Length, "per-tensor state value");
        return ref _tensorStates[index];
    }

    // Every step reads its tensors' state through this check: a comparison inlined, the message built out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckIndex(int index, int count, string what)
    {
        if ((uint)index >= (uint)count)
        {
            ThrowIndexOutOfRange(index, count, what);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIndexOutOfRange(int index, int count, string what) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The rule keeps {count} {what}(s): the index lies in [0, {count - 1}].");

    /// <summary>The number of per-element state buffers.</summary>
    public int StateCount => _states.Length;

    /// <summary>The number of per-tensor state values.</summary>
    public int TensorStateCount => _tensorStates.Length;

    /// <summary>
    /// <paramref name="count"/> views that split this tensor at multiples of 16 elements (64 bytes,
    /// so aligned memory stays aligned in every view; of 256 when the states are 8-bit, so each view
    /// holds whole blocks), ready for a step: each view's step count and
    /// per-tensor state are this tensor's. Made on the first call for a count, then reused.
    /// </summary>
    internal ParameterTensor[] Chunks(int count)
    {
        if (_chunks.Length != count)
        {
            var chunks = new ParameterTensor[count];
            int start = 0;
            for (int k = 0; k < count; k++)
            {
                int end = k == count - 1 ? Length : (int)((long)Length * (k + 1) / count) & ~(ChunkAlignment - 1);
                chunks[k] = new ParameterTensor(this, start, end - start);
                start = end;
            }

            _chunks = chunks;
        }

        foreach (ParameterTensor chunk in _chunks)
        {
            chunk.Step = Step;
            _tensorStates.CopyTo(chunk._tensorStates, 0);
        }

        return _chunks;
    }

    /// <summary>How many chunks the last parallel step cut this tensor into (0: never cut).</summary>
    internal int ChunkCount => _chunks.Length;

    /// <summary>
    /// Takes the per-tensor state a step computed in the first chunk: every chunk computed it from
    /// the same values in the same order, so all hold the same bits.
    /// </summary>
    internal void TakeTensorStateFrom(ParameterTensor chunk) => chunk._tensorStates.CopyTo(_tensorStates, 0);
}
