using System;

namespace KernelGen;

/// <summary>
/// One parameter tensor registered with an <see cref="Optimizer"/>: the caller's parameter and
/// gradient memory, and the optimizer's state for it, allocated once at registration.
/// </summary>
public sealed class ParameterTensor
{
    private readonly AlignedBuffer[] _states;
    private readonly float[] _tensorStates;

    internal ParameterTensor(int index, Memory<float> parameter, Memory<float> gradient, int stateCount, int tensorStateCount)
    {
        Index = index;
        Parameter = parameter;
        Gradient = gradient;
        _states = new AlignedBuffer[stateCount];
        for (int i = 0; i < stateCount; i++)
        {
            _states[i] = new AlignedBuffer(parameter.Length);
        }

        _tensorStates = new float[tensorStateCount];
    }

    /// <summary>The position of this tensor in <see cref="Optimizer.Tensors"/>.</summary>
    public int Index { get; }

    /// <summary>The parameter values, updated in place by each step.</summary>
    public Memory<float> Parameter { get; }

    /// <summary>The gradient the next step reads. The optimizer never writes it.</summary>
    public Memory<float> Gradient { get; }

    /// <summary>The number of steps taken on this tensor (the rule's step count is this plus one).</summary>
    public int Step { get; internal set; }

    /// <summary>The number of elements.</summary>
    public int Length => Parameter.Length;

    /// <summary>Per-element state buffer <paramref name="index"/>, in the rule's order.</summary>
    public Span<float> State(int index) => _states[index].Span;

    /// <summary>
    /// Per-element state buffer <paramref name="index"/> as memory, to hand to another kernel that
    /// keeps it (the schedule-free train/eval switch reads z through it).
    /// </summary>
    public Memory<float> StateMemory(int index) => _states[index].Memory;

    /// <summary>Per-tensor state value <paramref name="index"/>, in the rule's order.</summary>
    public ref float TensorState(int index) => ref _tensorStates[index];

    /// <summary>The number of per-element state buffers.</summary>
    public int StateCount => _states.Length;

    /// <summary>The number of per-tensor state values.</summary>
    public int TensorStateCount => _tensorStates.Length;
}
