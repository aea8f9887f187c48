using System;

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
    /// <see cref="Add"/>: <see cref="StateStorage.Float32"/> (the default), or
    /// <see cref="StateStorage.Int8Blockwise"/> for the Adam family (Adam, AdamW, Lion, AdaBelief):
    /// each state of a tensor of at least <see cref="MinimumQuantizedLength"/> elements is kept as
    /// 8-bit codes of the dynamic quantization map (signed for first moments, unsigned for second
    /// moments) with one absmax scale per block of 256 elements (docs/storage.md).
    /// </summary>
    /// <exception cref="NotSupportedException">The storage is not available for this optimizer (its rule is not in the supported set, or the 16-bit storages in this build).</exception>
    /// <exception cref="InvalidOperationException">Tensors are registered already: their states were allocated with the storage of the time.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="KernelGen.StateStorage"/>.</exception>
    public StateStorage StateStorage
    {
        get => _stateStorage;
        set
        {
            switch (value)
            {
                case StateStorage.Float32:
                    break;
                case StateStorage.BFloat16 or StateStorage.Float16:
                    throw new NotSupportedException($"StateStorage.{value} is not available in this build: states are stored as Float32 or Int8Blockwise.");
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

    /// <summary>A new tensor for <see cref="Add"/>, its states stored as <see cref="StateStorage"/> says.</summary>
    private ParameterTensor NewTensor(Memory<float> parameter, Memory<float> gradient, UpdateRule rule)
    {
        DynamicQuantizationMap[]? maps = _stateStorage == StateStorage.Int8Blockwise && parameter.Length >= MinimumQuantizedLength ? StateQuantizationMaps : null;
        var tensor = new ParameterTensor(_tensors.Count, parameter, gradient, rule.StateNames.Count, rule.TensorStateNames.Count, maps);
        if (maps is not null)
        {
            _quantizedTensors++;
        }

        return tensor;
    }

    /// <summary>Allocates the 8-bit states this step will use, before any kernel runs (chunks of one tensor may run on several threads).</summary>
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
    /// Steps <paramref name="tensors"/> as <see cref="StepTensors"/> does, tensors with 8-bit states
    /// group by group through the float workspace.
    /// </summary>
    private void StepStoredTensors(ReadOnlySpan<ParameterTensor> tensors, KernelPath path)
    {
        if (_quantizedTensors == 0)
        {
            StepTensors(tensors, path);
            return;
        }

        int run = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].Quantized is { } states)
            {
                if (i > run)
                {
                    StepTensors(tensors.Slice(run, i - run), path);
                }

                StepQuantized(tensors[i], states, path);
                run = i + 1;
            }
        }

        if (run < tensors.Length)
        {
            StepTensors(tensors.Slice(run), path);
        }
    }

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
                    states.Dequantize(i, start, group.State(i));
                }
            }

#if NET
            StepTensors(new ReadOnlySpan<ParameterTensor>(in group), path);
#else
            StepTensors(new[] { group }, path);
#endif
            for (int i = 0; i < states.Count; i++)
            {
                if (UsesState(i))
                {
                    states.Quantize(i, start, group.State(i));
                }
            }
        }
    }
}
