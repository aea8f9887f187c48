using System;
using System.Collections.Generic;

namespace KernelGen.Schedulers;

/// <summary>
/// The optimizers a scheduler drives, one per parameter group: torch keeps several groups in one
/// optimizer, KernelGen gives each group its own <see cref="Optimizer"/> (its own hyper-parameters).
/// Converts implicitly from one optimizer or an array, so <c>new StepLR(sgd, 30)</c> and
/// <c>new StepLR(new[] { backbone, head }, 30)</c> both read naturally.
/// </summary>
public readonly struct OptimizerGroups
{
    private readonly Optimizer[]? _optimizers;

    /// <summary>Groups the given optimizers, in order (copied).</summary>
    /// <exception cref="ArgumentException">The list is empty or holds a null or the same optimizer twice.</exception>
    public OptimizerGroups(IReadOnlyList<Optimizer> optimizers)
    {
        ArgumentNullException.ThrowIfNull(optimizers);
        if (optimizers.Count == 0)
        {
            throw new ArgumentException("A scheduler needs at least one optimizer.", nameof(optimizers));
        }

        var copy = new Optimizer[optimizers.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = optimizers[i] ?? throw new ArgumentException($"Optimizer {i} is null.", nameof(optimizers));
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(copy[j], copy[i]))
                {
                    // torch's param groups are distinct; a repeat would be stepped twice.
                    throw new ArgumentException($"Optimizers {j} and {i} are the same instance.", nameof(optimizers));
                }
            }
        }

        _optimizers = copy;
    }

    /// <summary>The optimizers, one per group; empty for <c>default</c>.</summary>
    public IReadOnlyList<Optimizer> Optimizers => _optimizers ?? Array.Empty<Optimizer>();

    /// <summary>The number of groups.</summary>
    public int Count => _optimizers?.Length ?? 0;

    /// <summary>One group.</summary>
    public static implicit operator OptimizerGroups(Optimizer optimizer)
        => new(new[] { optimizer ?? throw new ArgumentNullException(nameof(optimizer)) });

    /// <summary>One group per optimizer, in order.</summary>
    public static implicit operator OptimizerGroups(Optimizer[] optimizers) => new(optimizers);

    /// <summary>The groups of a <see cref="ParameterGroups"/>, in stepping order.</summary>
    public static implicit operator OptimizerGroups(ParameterGroups groups) =>
        new((groups ?? throw new ArgumentNullException(nameof(groups))).Groups);

    internal Optimizer[] Resolve(string argument)
        => _optimizers ?? throw new ArgumentException("A scheduler needs at least one optimizer.", argument);
}
