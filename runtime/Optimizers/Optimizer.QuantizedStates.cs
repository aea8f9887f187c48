using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Internal;

namespace KernelGen;

// 8-bit block-quantized states (StateStorage.Int8Blockwise): per group of blocks, the states are
// dequantized into a float workspace, the rule's own float32 kernel steps them, and they are
// quantized back. The update arithmetic is the rule's; only the stored states are rounded.
public abstract partial class Optimizer
{
    /// <summary>
    /// The fewest elements a tensor needs for its states to be stored in 8 bits under
    /// <see cref="StateStorage.Int8Blockwise"/>: smaller tensors keep float32 states, as bitsandbytes
    /// does (their states are small, and a few blocks' quantization error would weigh on them most).
    /// </summary>
    public const int MinimumQuantizedLength = 4096;

    private StateStorage _stateStorage;
    private int _quantizedTensors;

    /// <summary>
    /// How the per-element states of tensors registered from now on are stored. Set it before
    /// <see cref="Add(Memory{float}, Memory{float})"/>: <see cref="StateStorage.Float32"/> (the default);
    /// <see cref="StateStorage.BFloat16"/> or <see cref="StateStorage.Float16"/>, where the rule still
    /// computes in float32, loads widen exactly and stores round to nearest, ties to even (or
    /// stochastically, per tensor: <see cref="ParameterTensor.StochasticRounding"/>); or
    /// <see cref="StateStorage.Int8Blockwise"/> for the Adam family (Adam, AdamW, Lion, AdaBelief):
    /// each state of a tensor of at least <see cref="MinimumQuantizedLength"/> elements is kept as
    /// 8-bit codes of the dynamic quantization map (signed for first moments, unsigned for second
    /// moments) with one absmax scale per block of 256 elements (docs/storage.md).
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// <see cref="StateStorage.Int8Blockwise"/> for an optimizer outside the supported set, or
    /// <see cref="StateStorage.Float16"/> on .NET Standard (which has no <c>System.Half</c>).
    /// </exception>
    /// <exception cref="InvalidOperationException">Tensors are registered already: their states were allocated with the storage of the time.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="KernelGen.StateStorage"/>.</exception>
    public StateStorage StateStorage
    {
        get => _stateStorage;
        set
        {
            switch (value)
            {
                case StateStorage.Float32 or StateStorage.BFloat16:
                    break;
                case StateStorage.Float16:
                    TensorMemory.RequireHalf();
                    break;
                case StateStorage.Int8Blockwise:
                    if (StateQuantizationMaps is null)
                    {
                        throw new NotSupportedException(
                            $"{GetType().Name} does not support StateStorage.Int8Blockwise: 8-bit block-quantized states are available for Adam, AdamW, Lion and AdaBelief, whose rules update each element on its own and keep moments a map suits.");
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(value), value, "Not a defined StateStorage.");
            }

            if (_tensors.Count > 0 && value != _stateStorage)
            {
                throw new InvalidOperationException(
                    $"StateStorage cannot change once tensors are registered ({_tensors.Count} are): their states were allocated as {_stateStorage}. Set it before Add.");
            }

            _stateStorage = value;
        }
    }

    /// <summary>
    /// Per state, in the rule's order, the map its 8-bit codes index (signed for values of either
    /// sign, unsigned for values never negative); null when the rule does not support 8-bit states.
    /// </summary>
    internal virtual DynamicQuantizationMap[]? StateQuantizationMaps => null;

    /// <summary>
    /// Whether the rule reads or writes state <paramref name="index"/> under the current settings
    /// (AMSGrad's maximum only under amsgrad): 8-bit states are dequantized and quantized only when
    /// used, and allocated on first use.
    /// </summary>
    internal virtual bool UsesState(int index) => true;

    /// <summary>A new tensor for <see cref="Add(Memory{float}, Memory{float})"/>, its states stored as <see cref="StateStorage"/> says.</summary>
    /// <exception cref="NotSupportedException">8-bit states with a 16-bit parameter or gradient.</exception>
    private ParameterTensor NewTensor(TensorMemory parameter, TensorMemory gradient, UpdateRule rule)
    {
        if (_stateStorage != StateStorage.Int8Blockwise)
        {
            return new ParameterTensor(_tensors.Count, parameter, gradient, rule.StateNames.Count, rule.TensorStateNames.Count, _stateStorage);
        }

        if (!parameter.IsSingle || !gradient.IsSingle)
        {
            // The 8-bit path steps groups of float32 parameters and gradients in place; staging
            // 16-bit ones through it as well is not implemented.
            throw new NotSupportedException(
                $"StateStorage.Int8Blockwise steps float32 parameters and gradients only, but this parameter is {TensorMemory.Name(parameter.Type)} and its gradient {TensorMemory.Name(gradient.Type)}: use 16-bit states (StateStorage.BFloat16) with 16-bit parameters.");
        }

        DynamicQuantizationMap[]? maps = parameter.Length >= MinimumQuantizedLength ? StateQuantizationMaps : null;
        var tensor = new ParameterTensor(_tensors.Count, parameter, gradient, rule.StateNames.Count, rule.TensorStateNames.Count, StateStorage.Float32, maps);
        if (maps is not null)
        {
            _quantizedTensors++;
        }

        return tensor;
    }

    /// <summary>Allocates the 8-bit states this step will use, before any kernel runs (chunks of one tensor may run on several threads).</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private void AllocateUsedQuantizedStates()
    {
        if (_quantizedTensors == 0)
        {
            return;
        }

        foreach (ParameterTensor tensor in _tensors)
        {
            if (tensor.Quantized is { } states)
            {
                for (int i = 0; i < states.Count; i++)
                {
                    if (UsesState(i))
                    {
                        states.Buffer(i).Allocate();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Steps <paramref name="tensors"/> as <see cref="StepTensors"/> does: float32 tensors directly,
    /// in runs; tensors with 8-bit states group by group through the float workspace; tensors with
    /// 16-bit buffers staged through float32 blocks.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private void StepStoredTensors(Span<ParameterTensor> tensors, KernelPath path)
    {
        int run = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            ParameterTensor tensor = tensors[i];
            if (tensor.Quantized is null && !tensor.IsStored)
            {
                continue;
            }

            if (i > run)
            {
                StepTensors(tensors.Slice(run, i - run), path);
            }

            if (tensor.Quantized is { } states)
            {
                StepQuantized(tensor, states, path);
            }
            else
            {
                StepStaged(tensor, path, new KernelBlock(this, path));
            }

            run = i + 1;
        }

        if (run < tensors.Length)
        {
            StepTensors(tensors.Slice(run), path);
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private void StepQuantized(ParameterTensor tensor, QuantizedStates states, KernelPath path)
    {
        for (int start = 0; start < tensor.Length; start += QuantizedStates.GroupLength)
        {
            int length = Math.Min(QuantizedStates.GroupLength, tensor.Length - start);
            ParameterTensor group = states.Group(tensor, start, length);
            for (int i = 0; i < states.Count; i++)
            {
                if (UsesState(i))
                {
                    states.Dequantize(i, start, group.State(i), path);
                }
            }

            StepTensors(MemoryMarshal.CreateSpan(ref group, 1), path);
            for (int i = 0; i < states.Count; i++)
            {
                if (UsesState(i))
                {
                    states.Quantize(i, start, group.State(i), path);
                }
            }
        }
    }
}
