using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace KernelGen;

/// <summary>What a checkpoint entry holds.</summary>
internal enum SlotKind
{
    /// <summary>A per-element state buffer: F32, BF16 or F16 (its storage type), shape [n].</summary>
    State,

    /// <summary>A per-tensor state value: F32, shape [].</summary>
    TensorState,

    /// <summary>The step count: I64, shape [].</summary>
    Step,

    /// <summary>The parameter values: F32, BF16 or F16 (its storage type), shape [n].</summary>
    Parameter,

    /// <summary>A per-element state stored in 8 bits: its codes, U8, shape [n].</summary>
    QuantizedCodes,

    /// <summary>A per-element state stored in 8 bits: its absmax scales, F32, shape [blocks]; saved right after its codes.</summary>
    QuantizedScales,
}

/// <summary>
/// One tensor of a checkpoint and where its values live: in an optimizer's tensor, or in a
/// companion's own buffer or counter (Lookahead's slow weights and pullback counts).
/// </summary>
internal sealed class Slot
{
    private readonly ParameterTensor? _tensor;
    private readonly Memory<float> _buffer;
    private readonly Func<int>? _getCount;
    private readonly Action<int>? _setCount;

    public Slot(string name, SlotKind kind, ParameterTensor tensor, int index, DynamicQuantizationMap? map = null)
    {
        Name = name;
        Kind = kind;
        _tensor = tensor;
        Index = index;
        Map = map;
    }

    private Slot(string name, SlotKind kind, Memory<float> buffer, Func<int>? getCount, Action<int>? setCount)
    {
        Name = name;
        Kind = kind;
        _buffer = buffer;
        _getCount = getCount;
        _setCount = setCount;
    }

    /// <summary>A companion's per-element buffer: F32, shape [n], saved and loaded as a state.</summary>
    public static Slot Buffer(string name, Memory<float> values) => new(name, SlotKind.State, values, null, null);

    /// <summary>A companion's count: I64, shape [], saved and loaded as a step count.</summary>
    public static Slot Count(string name, Func<int> get, Action<int> set) => new(name, SlotKind.Step, Memory<float>.Empty, get, set);

    public string Name { get; }

    public SlotKind Kind { get; }

    /// <summary>The state or tensor-state index (unused for the step and the parameter).</summary>
    public int Index { get; }

    /// <summary>
    /// The map of a state's 8-bit codes, for a state whose rule can store it in 8 bits (whatever
    /// this tensor's storage): a float32 state loads a checkpoint's codes through it.
    /// </summary>
    public DynamicQuantizationMap? Map { get; }

    public bool IsVector => Kind is SlotKind.State or SlotKind.Parameter or SlotKind.QuantizedCodes or SlotKind.QuantizedScales;

    /// <summary>How a state or parameter slot's values are stored (float32 for a companion's buffer and for every other slot).</summary>
    public StateStorage Storage => _tensor is null ? StateStorage.Float32 : Kind switch
    {
        SlotKind.State => _tensor.StateStorage,
        SlotKind.Parameter => _tensor.ParameterStorage,
        _ => StateStorage.Float32,
    };

    public string DType => Kind switch
    {
        SlotKind.Step => "I64",
        SlotKind.QuantizedCodes => "U8",
        SlotKind.QuantizedScales => "F32",
        _ => DTypeOf(Storage),
    };

    /// <summary>The safetensors dtype of a float32 or 16-bit storage type.</summary>
    public static string DTypeOf(StateStorage storage) => storage switch
    {
        StateStorage.BFloat16 => "BF16",
        StateStorage.Float16 => "F16",
        _ => "F32",
    };

    /// <summary>The bytes of one element: the writer orders the data by it, widest first, so every tensor is aligned in the file.</summary>
    public int ElementSize => Kind switch
    {
        SlotKind.Step => sizeof(long),
        SlotKind.QuantizedCodes => sizeof(byte),
        SlotKind.QuantizedScales => sizeof(float),
        _ => Storage == StateStorage.Float32 ? sizeof(float) : sizeof(ushort),
    };

    /// <summary>The number of elements of a vector slot.</summary>
    public int Length => Kind == SlotKind.QuantizedScales ? Quantized.BlockCount : _tensor?.Length ?? _buffer.Length;

    public long[] Shape => IsVector ? new long[] { Length } : Array.Empty<long>();

    public long ByteLength => IsVector ? (long)Length * ElementSize : ElementSize;

    /// <summary>The 8-bit state of a codes or scales slot.</summary>
    public QuantizedBuffer Quantized => _tensor!.Quantized!.Buffer(Index);

    /// <summary>The live values of a float32 vector slot.</summary>
    public Span<float> Values => _tensor is null ? _buffer.Span : Kind == SlotKind.State ? _tensor.State(Index) : _tensor.Parameter.Span;

    /// <summary>The live bit patterns of a 16-bit vector slot.</summary>
    public Span<ushort> Bits => Kind == SlotKind.State ? _tensor!.StateBuffer(Index).Bits : _tensor!.ParameterMemory.Bits;

    /// <summary>The live value of a tensor-state slot.</summary>
    public ref float TensorState => ref _tensor!.TensorState(Index);

    /// <summary>The live value of a step slot.</summary>
    public int Step
    {
        get => _getCount?.Invoke() ?? _tensor!.Step;
        set
        {
            if (_setCount is not null)
            {
                _setCount(value);
            }
            else
            {
                _tensor!.Step = value;
            }
        }
    }
}

/// <summary>
/// The names and order of a checkpoint's tensors for a list of groups (one optimizer is one
/// group). Tensors are numbered across groups in registration order, as torch numbers
/// <c>state_dict()["state"]</c>: <c>state.K.exp_avg</c>, <c>state.K.step</c>, <c>param.K</c>.
/// </summary>
internal sealed class CheckpointLayout
{
    private CheckpointLayout(IReadOnlyList<Optimizer> groups, List<ICheckpointCompanion>[] companions, List<Slot> slots, int tensorCount)
    {
        Groups = groups;
        Companions = companions;
        Slots = slots;
        TensorCount = tensorCount;
    }

    public IReadOnlyList<Optimizer> Groups { get; }

    /// <summary>Per group, the companions saved with it: the optimizer's own (schedule-free mode), then a wrapper's (Lookahead, for group 0).</summary>
    public IReadOnlyList<ICheckpointCompanion>[] Companions { get; }

    /// <summary>
    /// Every entry: per tensor its states (an 8-bit state as its codes, then its scales), tensor
    /// states, step, then parameter (the writer puts the steps first in the data, the codes last).
    /// </summary>
    public IReadOnlyList<Slot> Slots { get; }

    public int TensorCount { get; }

    /// <exception cref="NotSupportedException">Two entries of a rule would get the same name.</exception>
    public static CheckpointLayout Build(IReadOnlyList<Optimizer> groups, bool includeParameters, ICheckpointCompanion? wrapper = null)
    {
        var slots = new List<Slot>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var companions = new List<ICheckpointCompanion>[groups.Count];
        int k = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            Optimizer optimizer = groups[g];
            companions[g] = new List<ICheckpointCompanion>();
            if (optimizer.CheckpointCompanion is { } own)
            {
                companions[g].Add(own);
            }

            if (g == 0 && wrapper is not null)
            {
                companions[g].Add(wrapper);
            }

            UpdateRule rule = optimizer.Rule;
            foreach (ParameterTensor tensor in optimizer.Tensors)
            {
                string prefix = "state." + k.ToString(CultureInfo.InvariantCulture) + ".";
                DynamicQuantizationMap[]? maps = optimizer.StateQuantizationMaps;
                for (int i = 0; i < rule.StateNames.Count; i++)
                {
                    string name = prefix + SnakeCase(rule.StateNames[i]);
                    if (tensor.Quantized is null)
                    {
                        Add(new Slot(name, SlotKind.State, tensor, i, maps?[i]), rule);
                    }
                    else
                    {
                        Add(new Slot(name, SlotKind.QuantizedCodes, tensor, i, maps![i]), rule);
                        Add(new Slot(ScalesName(name), SlotKind.QuantizedScales, tensor, i, maps[i]), rule);
                    }
                }

                for (int i = 0; i < rule.TensorStateNames.Count; i++)
                {
                    Add(new Slot(prefix + SnakeCase(rule.TensorStateNames[i]), SlotKind.TensorState, tensor, i), rule);
                }

                Add(new Slot(prefix + "step", SlotKind.Step, tensor, 0), rule);
                foreach (ICheckpointCompanion companion in companions[g])
                {
                    companion.AddSlots(tensor.Index, prefix + companion.CompanionName + "_", slot => Add(slot, rule));
                }

                if (includeParameters)
                {
                    Add(new Slot(ParameterName(k), SlotKind.Parameter, tensor, 0), rule);
                }

                k++;
            }
        }

        return new CheckpointLayout(groups, companions, slots, k);

        void Add(Slot slot, UpdateRule rule)
        {
            if (!names.Add(slot.Name))
            {
                throw new NotSupportedException(
                    $"Two entries of the rule {rule.Name} would both be saved as '{slot.Name}': rename a state so its snake_case name is unique and is not 'step'.");
            }

            slots.Add(slot);
        }
    }

    /// <summary>The metadata prefix of a companion of group <paramref name="group"/>.</summary>
    public static string CompanionPrefix(int group, ICheckpointCompanion companion) =>
        "groups." + group.ToString(CultureInfo.InvariantCulture) + "." + companion.CompanionName + ".";

    /// <summary>The name of the absmax scales of the 8-bit state saved as <paramref name="state"/>.</summary>
    public static string ScalesName(string state) => state + "_absmax";

    /// <summary>The name of tensor <paramref name="k"/>'s parameter values.</summary>
    public static string ParameterName(int k) => "param." + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The global indices of group <paramref name="group"/>'s tensors, comma separated (torch's <c>param_groups[g]["params"]</c>).</summary>
    public string ParameterIndices(int group)
    {
        int first = 0;
        for (int g = 0; g < group; g++)
        {
            first += Groups[g].Tensors.Count;
        }

        var text = new StringBuilder();
        for (int i = 0; i < Groups[group].Tensors.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append((first + i).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>torch's names: <c>expAvgSq</c> → <c>exp_avg_sq</c>, <c>momentumBuffer</c> → <c>momentum_buffer</c>.</summary>
    public static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
