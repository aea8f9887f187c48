using System;
using System.Collections.Generic;
using System.Linq;

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
        // The same rules as the groups a scheduler takes: one list, validated in one place.
        _groups = new KernelGen.Schedulers.OptimizerGroups(groups ?? throw new ArgumentNullException(nameof(groups))).Optimizers.ToArray();
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
