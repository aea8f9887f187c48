using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace KernelGen.Internal;

/// <summary>
/// The memory every tensor of one optimizer, or of every optimizer of a group set, reads and
/// writes, kept so that registration refuses a buffer a step would write twice or read after
/// writing: a parameter or state buffer may share no element with any other buffer; gradients,
/// which steps only read, may share elements with each other.
/// </summary>
/// <remarks>
/// Memory is located by its owner (the array, or the <see cref="MemoryManager{T}"/>) and its
/// index there, not by address, since the garbage collector moves arrays. Per owner the ranges
/// are kept sorted and disjoint (gradient ranges merged), so a registration costs two binary
/// searches: n tensors cost O(n log n) comparisons. Two memory managers that wrap the same native
/// memory are not recognised as one.
/// </remarks>
internal sealed class MemoryRanges
{
    private readonly Dictionary<object, Owner> _owners = new(ReferenceEqualityComparer.Instance);

    /// <summary>A domain for <paramref name="member"/> alone.</summary>
    public MemoryRanges(Optimizer member) => Members = new List<Optimizer> { member };

    private MemoryRanges(List<Optimizer> members) => Members = members;

    /// <summary>The optimizers whose tensors are in this domain, in the order they joined it.</summary>
    public List<Optimizer> Members { get; }

    /// <summary>Throws when a tensor with this parameter and gradient would overlap memory of the domain or each other.</summary>
    /// <exception cref="ArgumentException">The two overlap, or one overlaps a registered buffer it may not share.</exception>
    public void CheckNew(TensorMemory parameter, TensorMemory gradient)
    {
        Region p = Region.Of(parameter);
        Region g = Region.Of(gradient);
        if (p.Overlaps(g))
        {
            throw new ArgumentException("The gradient overlaps the parameter: every buffer a step writes needs its own memory.", nameof(gradient));
        }

        if (Find(p, written: true, read: true) is { } withParameter)
        {
            throw new ArgumentException($"The parameter overlaps {Describe(withParameter)}: its elements would be updated twice in a step.", nameof(parameter));
        }

        if (Find(g, written: true, read: false) is { } withGradient)
        {
            throw new ArgumentException($"The gradient overlaps {Describe(withGradient)}, which a step writes.", nameof(gradient));
        }
    }

    /// <summary>Records a registered tensor (checked with <see cref="CheckNew"/>): its parameter and state buffers written, its gradient read.</summary>
    public void Add(Optimizer optimizer, ParameterTensor tensor)
    {
        Insert(Region.Of(tensor.ParameterMemory), new Label(optimizer, tensor.Index, "parameter"), written: true);
        // 8-bit states live in the optimizer's own arrays, which no caller's memory can overlap.
        for (int i = 0; i < FloatStateCount(tensor); i++)
        {
            Insert(Region.Of(tensor.StateBuffer(i)), new Label(optimizer, tensor.Index, "state buffer"), written: true);
        }

        Insert(Region.Of(tensor.GradientMemory), new Label(optimizer, tensor.Index, "gradient"), written: false);
    }

    /// <summary>
    /// One domain for every optimizer that shares a domain with one of <paramref name="optimizers"/>;
    /// refuses (changing nothing) when two of their tensors overlap.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors of the joined optimizers overlap.</exception>
    public static MemoryRanges Join(IReadOnlyList<Optimizer> optimizers)
    {
        var members = new List<Optimizer>();
        var seen = new HashSet<Optimizer>(ReferenceEqualityComparer.Instance);
        foreach (Optimizer optimizer in optimizers)
        {
            foreach (Optimizer member in optimizer.MemoryDomain.Members)
            {
                if (seen.Add(member))
                {
                    members.Add(member);
                }
            }
        }

        var joined = new MemoryRanges(members);
        foreach (Optimizer member in members)
        {
            foreach (ParameterTensor tensor in member.Tensors)
            {
                try
                {
                    joined.CheckNew(tensor.ParameterMemory, tensor.GradientMemory);
                    for (int i = 0; i < FloatStateCount(tensor); i++)
                    {
                        // A state buffer handed to another optimizer of the set as its parameter.
                        if (joined.Find(Region.Of(tensor.StateBuffer(i)), written: true, read: true) is { } withState)
                        {
                            throw new ArgumentException($"A state buffer overlaps {joined.Describe(withState)}.", nameof(optimizers));
                        }
                    }
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"{Describe(new Label(member, tensor.Index, "tensor"), members)}: {e.Message}", nameof(optimizers), e);
                }

                joined.Add(member, tensor);
            }
        }

        return joined;
    }

    private Label? Find(Region region, bool written, bool read)
    {
        if (region.Length == 0 || !_owners.TryGetValue(region.Owner, out Owner? owner))
        {
            return null;
        }

        return (written ? Overlapping(owner.Written, region) : null) ?? (read ? Overlapping(owner.Read, region) : null);
    }

    /// <summary>The state buffers of <paramref name="tensor"/> that are float memory (none when its states are 8-bit codes).</summary>
    private static int FloatStateCount(ParameterTensor tensor) => tensor.StateStorage == StateStorage.Int8Blockwise ? 0 : tensor.StateCount;

    /// <summary>The range of a sorted, disjoint list that overlaps <paramref name="region"/>, if any: only the last one starting before its end can.</summary>
    private static Label? Overlapping(List<Range> ranges, Region region)
    {
        int i = LastStartingBefore(ranges, region.End);
        return i >= 0 && ranges[i].End > region.Start ? ranges[i].Label : null;
    }

    private static int LastStartingBefore(List<Range> ranges, long end)
    {
        int low = 0, high = ranges.Count - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (ranges[middle].Start < end)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    private void Insert(Region region, Label label, bool written)
    {
        if (region.Length == 0)
        {
            return;
        }

        if (!_owners.TryGetValue(region.Owner, out Owner? owner))
        {
            owner = new Owner();
            _owners.Add(region.Owner, owner);
        }

        List<Range> ranges = written ? owner.Written : owner.Read;
        long start = region.Start, end = region.End;

        // Read ranges may overlap each other: merge those the new one touches, keeping the label of the first.
        int first = LastStartingBefore(ranges, start) + 1;
        if (first > 0 && ranges[first - 1].End >= start && !written)
        {
            first--;
        }

        int last = first;
        while (!written && last < ranges.Count && ranges[last].Start <= end)
        {
            if (last == first)
            {
                label = ranges[last].Label;
            }

            start = Math.Min(start, ranges[last].Start);
            end = Math.Max(end, ranges[last].End);
            last++;
        }

        ranges.RemoveRange(first, last - first);
        ranges.Insert(first, new Range(start, end, label));
    }

    private string Describe(Label label) => Describe(label, Members);

    private static string Describe(Label label, List<Optimizer> members)
    {
        string tensor = $"the {label.What} of tensor {label.Tensor}";
        return members.Count > 1 ? $"{tensor} of group {members.IndexOf(label.Optimizer)}" : tensor;
    }

    private sealed class Owner
    {
        public List<Range> Written { get; } = new();

        public List<Range> Read { get; } = new();
    }

    private readonly record struct Range(long Start, long End, Label Label);

    private sealed record Label(Optimizer Optimizer, int Tensor, string What);

    /// <summary>Elements [Start, End) of the array or memory manager <see cref="Owner"/>.</summary>
    private readonly record struct Region(object Owner, long Start, int Length)
    {
        public long End => Start + Length;

        public bool Overlaps(Region other) =>
            Length > 0 && other.Length > 0 && ReferenceEquals(Owner, other.Owner) && Start < other.End && other.Start < End;

        public static Region Of(TensorMemory memory) => memory.Type switch
        {
#if NET
            StateStorage.Float16 => Of(memory.As<Half>(0, 0)),
#endif
            StateStorage.BFloat16 => Of(memory.As<BFloat16>(0, 0)),
            _ => Of(memory.Single),
        };

        private static Region Of<T>(Memory<T> memory)
        {
            if (MemoryMarshal.TryGetArray((ReadOnlyMemory<T>)memory, out ArraySegment<T> segment))
            {
                return new Region(segment.Array!, segment.Offset, segment.Count);
            }

            if (MemoryMarshal.TryGetMemoryManager<T, MemoryManager<T>>(memory, out MemoryManager<T>? manager, out int start, out int length))
            {
                return new Region(manager!, start, length);
            }

            // Memory<T> has no other kind of owner; one of its own overlaps nothing.
            return new Region(new object(), 0, memory.Length);
        }
    }
}
