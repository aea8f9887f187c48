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
    private readonly TensorMemory[] _states;
    private readonly float[] _tensorStates;
    private readonly ParameterTensor? _whole;
    private TensorMemory _parameter;
    private TensorMemory _gradient;
    private bool _stochasticRounding;
    private ParameterTensor[] _chunks = Array.Empty<ParameterTensor>();

    /// <summary>
    /// A registered tensor; its states are 8-bit codes of <paramref name="quantizationMaps"/> (one per
    /// state) when given, else buffers of <paramref name="stateStorage"/> (float32, bfloat16 or half).
    /// </summary>
    internal ParameterTensor(int index, TensorMemory parameter, TensorMemory gradient, int stateCount, int tensorStateCount, StateStorage stateStorage, DynamicQuantizationMap[]? quantizationMaps = null)
    {
        Index = index;
        _parameter = parameter;
        _gradient = gradient;
        _states = new TensorMemory[stateCount];
        if (quantizationMaps is not null)
        {
            _quantized = new QuantizedStates(parameter.Length, quantizationMaps, tensorStateCount);
            StateStorage = StateStorage.Int8Blockwise;
        }
        else
        {
            for (int i = 0; i < stateCount; i++)
            {
                _states[i] = TensorMemory.Allocate(stateStorage, parameter.Length);

                // Zero already, but perhaps in pages the OS has not mapped yet: written now, at
                // registration, so the first step does not pay a page fault per 4 KiB of state.
                _states[i].Bytes.Clear();
            }

            StateStorage = stateStorage;
        }

        _tensorStates = new float[tensorStateCount];
    }

    /// <summary>A view of elements [start, start + length) of <paramref name="whole"/>, with per-tensor state of its own.</summary>
    private ParameterTensor(ParameterTensor whole, int start, int length)
    {
        Index = whole.Index;
        _whole = whole;
        Offset = whole.Offset + start;
        _parameter = whole._parameter.Slice(start, length);
        _gradient = whole._gradient.Slice(start, length);
        _states = new TensorMemory[whole._states.Length];
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i] = whole._quantized is not null ? default : whole._states[i].Slice(start, length);
        }

        _quantized = whole._quantized?.Slice(start, length, whole._tensorStates.Length);
        _tensorStates = new float[whole._tensorStates.Length];
        StateStorage = whole.StateStorage;
    }

    /// <summary>A float32 tensor to stage blocks of stored tensors in (see <see cref="StagingArea"/>); its buffers are set per block.</summary>
    internal ParameterTensor(int stateCount, int tensorStateCount)
    {
        Index = -1;
        _states = new TensorMemory[stateCount];
        _tensorStates = new float[tensorStateCount];
    }

    /// <summary>The position of this tensor in <see cref="Optimizer.Tensors"/>.</summary>
    public int Index { get; }

    /// <summary>The parameter values, updated in place by each step.</summary>
    /// <exception cref="InvalidOperationException">The parameter is stored in a 16-bit type (read <see cref="StoredParameter{T}"/>).</exception>
    public Memory<float> Parameter => _parameter.RequireSingle(Index, TensorMemory.ParameterBuffer);

    /// <summary>The gradient the next step reads. The optimizer never writes it.</summary>
    /// <exception cref="InvalidOperationException">The gradient is stored in a 16-bit type (read <see cref="StoredGradient{T}"/>).</exception>
    public Memory<float> Gradient => _gradient.RequireSingle(Index, TensorMemory.GradientBuffer);

    /// <summary>How the parameter is stored: float32, bfloat16 or half (the element type of the memory given to <see cref="Optimizer.Add{TParameter, TGradient}"/>).</summary>
    public StateStorage ParameterStorage => _parameter.Type;

    /// <summary>How the gradient is stored: float32, bfloat16 or half.</summary>
    public StateStorage GradientStorage => _gradient.Type;

    /// <summary>
    /// How the per-element states are stored: the optimizer's <see cref="Optimizer.StateStorage"/>
    /// when the tensor was added, except that under <see cref="StateStorage.Int8Blockwise"/> a tensor
    /// of fewer than <see cref="Optimizer.MinimumQuantizedLength"/> elements keeps float32 states.
    /// </summary>
    public StateStorage StateStorage { get; }

    /// <summary>
    /// Whether 16-bit stores of this tensor (its parameter and states) round stochastically
    /// instead of to nearest: up with probability equal to the discarded fraction, from random bits
    /// keyed by (<see cref="Optimizer.StochasticRoundingSeed"/>, step, tensor index, element index),
    /// the same on every path and thread count. Float32 buffers are not rounded. Off by default.
    /// </summary>
    public bool StochasticRounding
    {
        get => _whole?.StochasticRounding ?? _stochasticRounding;
        set => _stochasticRounding = value;
    }

    /// <summary>The parameter as the memory it was added as (float, <c>System.Half</c> or <see cref="BFloat16"/>).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the parameter's element type.</exception>
    public Memory<T> StoredParameter<T>() => _parameter.As<T>(Index, TensorMemory.ParameterBuffer);

    /// <summary>The gradient as the memory it was added as (float, <c>System.Half</c> or <see cref="BFloat16"/>).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the gradient's element type.</exception>
    public Memory<T> StoredGradient<T>() => _gradient.As<T>(Index, TensorMemory.GradientBuffer);

    /// <summary>Per-element state buffer <paramref name="index"/> in its storage type (float, <c>System.Half</c> or <see cref="BFloat16"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="StateCount"/>.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the states' element type.</exception>
    public Memory<T> StoredState<T>(int index)
    {
        CheckIndex(index, _states.Length, "per-element state buffer");
        return _states[index].As<T>(Index, index);
    }

    /// <summary>Whether any buffer is stored in a 16-bit type (then steps stage it through float32 blocks).</summary>
    internal bool IsStored => !_parameter.IsSingle || !_gradient.IsSingle || StateStorage is StateStorage.BFloat16 or StateStorage.Float16;

    /// <summary>The index, in the whole tensor, of this view's first element (0 for a registered tensor).</summary>
    internal int Offset { get; }

    internal TensorMemory ParameterMemory => _parameter;

    internal TensorMemory GradientMemory => _gradient;

    internal TensorMemory StateBuffer(int index) => _states[index];

    /// <summary>Points a staging tensor's parameter and gradient at float32 buffers for one block.</summary>
    internal void StageParameter(Memory<float> parameter, Memory<float> gradient)
    {
        _parameter = TensorMemory.Of(parameter);
        _gradient = TensorMemory.Of(gradient);
    }

    /// <summary>Points a staging tensor's state buffer <paramref name="index"/> at a float32 buffer for one block.</summary>
    internal void StageState(int index, Memory<float> values) => _states[index] = TensorMemory.Of(values);

    /// <summary>The per-tensor state values.</summary>
    internal Span<float> TensorStates => _tensorStates;

    /// <summary>The number of steps taken on this tensor (the rule's step count is this plus one).</summary>
    public int Step { get; internal set; }

    /// <summary>The number of elements.</summary>
    public int Length => _parameter.Length;

    /// <summary>Per-element state buffer <paramref name="index"/>, in the rule's order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="StateCount"/>.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public Span<float> State(int index) => StateMemory(index).Span;

    /// <summary>
    /// Per-element state buffer <paramref name="index"/> as memory, to hand to another kernel that
    /// keeps it (the schedule-free train/eval switch reads z through it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="StateCount"/>.</exception>
    /// <exception cref="InvalidOperationException">The states are stored in a 16-bit type (read <see cref="StoredState{T}"/>).</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public Memory<float> StateMemory(int index)
    {
        CheckIndex(index, _states.Length, "per-element state buffer");
        ThrowIfQuantized();
        return _states[index].RequireSingle(Index, index);
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
