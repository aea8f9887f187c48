using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace KernelGen;

/// <summary>What a checkpoint entry holds.</summary>
internal enum SlotKind
{
    /// <summary>A per-element state buffer: F32, shape [n].</summary>
    State,

    /// <summary>A per-tensor state value: F32, shape [].</summary>
    TensorState,

    /// <summary>The step count: I64, shape [].</summary>
    Step,

    /// <summary>The parameter values: F32, shape [n].</summary>
    Parameter,
}

/// <summary>One tensor of a checkpoint and where its values live in the optimizer.</summary>
internal sealed class Slot
{
    public Slot(string name, SlotKind kind, ParameterTensor tensor, int index)
    {
        Name = name;
        Kind = kind;
        Tensor = tensor;
        Index = index;
    }

    public string Name { get; }

    public SlotKind Kind { get; }

    public ParameterTensor Tensor { get; }

    /// <summary>The state or tensor-state index (unused for the step and the parameter).</summary>
    public int Index { get; }

    public bool IsVector => Kind is SlotKind.State or SlotKind.Parameter;

    public string DType => Kind == SlotKind.Step ? "I64" : "F32";

    public long[] Shape => IsVector ? new long[] { Tensor.Length } : Array.Empty<long>();

    public long ByteLength => IsVector ? (long)Tensor.Length * sizeof(float) : Kind == SlotKind.Step ? sizeof(long) : sizeof(float);

    /// <summary>The live values of a vector slot.</summary>
    public Span<float> Values => Kind == SlotKind.State ? Tensor.State(Index) : Tensor.Parameter.Span;
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

    /// <summary>Every entry: per tensor its states, tensor states, step, then parameter (the writer puts the steps first in the data).</summary>
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
                for (int i = 0; i < rule.StateNames.Count; i++)
                {
                    Add(new Slot(prefix + SnakeCase(rule.StateNames[i]), SlotKind.State, tensor, i), rule);
                }

                for (int i = 0; i < rule.TensorStateNames.Count; i++)
                {
                    Add(new Slot(prefix + SnakeCase(rule.TensorStateNames[i]), SlotKind.TensorState, tensor, i), rule);
                }

                Add(new Slot(prefix + "step", SlotKind.Step, tensor, 0), rule);
                foreach (ICheckpointCompanion companion in companions[g])
                {
                    companion.AddSlots(tensor.Index, (entry, kind, holder, index) =>
                        Add(new Slot(prefix + companion.CompanionName + "_" + entry, kind, holder, index), rule));
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
