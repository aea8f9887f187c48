using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>ChainedScheduler</c>: steps every child in order on each <see cref="Step"/>, so
/// chainable schedulers compose (each multiplies what the previous one left).
/// </summary>
public sealed class ChainedScheduler : LRScheduler
{
    private readonly LRScheduler[] _schedulers;

    /// <summary>Chains schedulers already built on the same optimizers.</summary>
    /// <param name="schedulers">torch <c>schedulers</c>: the children, stepped in this order.</param>
    /// <exception cref="ArgumentException">The list is empty, holds a null, or the children drive different optimizers.</exception>
    public ChainedScheduler(IReadOnlyList<LRScheduler> schedulers)
        : base(FirstOptimizers(schedulers), nameof(schedulers))
    {
        _schedulers = new LRScheduler[schedulers.Count];
        for (int i = 0; i < _schedulers.Length; i++)
        {
            LRScheduler scheduler = schedulers[i] ?? throw new ArgumentException($"Scheduler {i} is null.", nameof(schedulers));
            if (!SameGroups(scheduler))
            {
                throw new ArgumentException(
                    $"ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and {i} to be different.",
                    nameof(schedulers));
            }

            _schedulers[i] = scheduler;
        }

        // torch neither records initial_lr nor steps here: the children did.
        ReadLastLearningRates();
    }

    /// <summary>The children, in stepping order.</summary>
    public IReadOnlyList<LRScheduler> Schedulers => Array.AsReadOnly(_schedulers);

    internal override bool CanBeSequenced => false;

    private protected override void WarmChildren()
    {
        foreach (LRScheduler scheduler in _schedulers)
        {
            scheduler.Warm();
        }
    }

    private protected override void SaveExtra(SchedulerStateWriter state) => SaveChildren(state, _schedulers);

    private protected override Action? PrepareExtra(SchedulerStateReader state, int lastEpoch) => PrepareChildren(state, _schedulers);

    /// <summary>Steps every child once, in order.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public override void Step()
    {
        foreach (LRScheduler scheduler in _schedulers)
        {
            scheduler.Step();
        }

        ReadLastLearningRates();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal override void StepTo(int epoch)
        => throw new InvalidOperationException("ChainedScheduler cannot be stepped to an epoch.");

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
        => throw new InvalidOperationException("ChainedScheduler steps its children.");

    private static OptimizerGroups FirstOptimizers(IReadOnlyList<LRScheduler> schedulers)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        if (schedulers.Count == 0 || schedulers[0] is null)
        {
            throw new ArgumentException("ChainedScheduler needs at least one scheduler.", nameof(schedulers));
        }

        return new OptimizerGroups(schedulers[0].Optimizers);
    }
}
