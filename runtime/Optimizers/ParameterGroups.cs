using System;
using System.Collections.Generic;

namespace KernelGen;

/// <summary>
/// Parameter groups, as in PyTorch: each group is an optimizer instance with its own
/// hyper-parameters and tensors (for example weights with weight decay, biases without), and
/// <see cref="Step"/> steps them all. Schedulers take the groups and drive each one's learning rate.
/// </summary>
/// <example><code>
/// var decayed = new AdamW { WeightDecay = 0.01f };  decayed.Add(weights, weightGradients);
/// var plain = new AdamW { WeightDecay = 0f };       plain.Add(biases, biasGradients);
/// var groups = new ParameterGroups(decayed, plain);
/// groups.Step();
/// </code></example>
public sealed class ParameterGroups
{
    private readonly Optimizer[] _groups;

    /// <summary>Combines the groups, stepped in the order given.</summary>
    /// <exception cref="ArgumentException">No group, a null group, or the same optimizer twice.</exception>
    public ParameterGroups(params Optimizer[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Length == 0)
        {
            throw new ArgumentException("At least one group is needed.", nameof(groups));
        }

        var seen = new HashSet<Optimizer>(ReferenceEqualityComparer.Instance);
        foreach (Optimizer? group in groups)
        {
            if (group is null)
            {
                throw new ArgumentException("A group is null.", nameof(groups));
            }

            if (!seen.Add(group))
            {
                throw new ArgumentException("The same optimizer appears twice: its tensors would be stepped twice.", nameof(groups));
            }
        }

        _groups = (Optimizer[])groups.Clone();
    }

    /// <summary>The groups, in stepping order.</summary>
    public IReadOnlyList<Optimizer> Groups => _groups;

    /// <summary>Sets the kernel path of every group.</summary>
    public KernelPath Path
    {
        set
        {
            foreach (Optimizer group in _groups)
            {
                group.Path = value;
            }
        }
    }

    /// <summary>Steps every tensor of every group once. Allocates nothing.</summary>
    public void Step()
    {
        foreach (Optimizer group in _groups)
        {
            group.Step();
        }
    }
}
