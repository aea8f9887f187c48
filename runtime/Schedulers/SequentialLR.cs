using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>SequentialLR</c>: runs one scheduler after another, switching at the milestone
/// epochs (e.g. a <see cref="LinearLR"/> warm-up, then <see cref="CosineAnnealingLR"/>).
/// </summary>
/// <remarks>
/// As in torch 1.13: building it resets the groups' rates to their <c>initial_lr</c>, undoes the
/// initial step of every child and takes the first child's again. At a milestone the next child
/// is stepped to epoch 0 (its closed form where it has one, so it starts from the base rate);
/// otherwise the active child takes a normal step. The children count epochs from their own
/// start: the second child is at epoch k when this one is at milestone + k.
/// </remarks>
public sealed class SequentialLR : LRScheduler
{
    private readonly LRScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>Builds the sequence from schedulers already built on <paramref name="optimizers"/>.</summary>
    /// <param name="optimizers">The optimizers every child drives, in the same order.</param>
    /// <param name="schedulers">torch <c>schedulers</c>: the children, in order of use (not composites).</param>
    /// <param name="milestones">torch <c>milestones</c>: the epochs at which the next child takes over, one fewer than the children.</param>
    /// <exception cref="ArgumentException">A child drives other optimizers or is a composite, or the milestone count is wrong.</exception>
    public SequentialLR(OptimizerGroups optimizers, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones)
        : base(optimizers, nameof(optimizers))
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0)
        {
            throw new ArgumentException("Sequential Schedulers expects at least one scheduler.", nameof(schedulers));
        }

        _schedulers = new LRScheduler[schedulers.Count];
        for (int i = 0; i < _schedulers.Length; i++)
        {
            LRScheduler scheduler = schedulers[i] ?? throw new ArgumentException($"Scheduler {i} is null.", nameof(schedulers));
            if (!SameGroups(scheduler))
            {
                throw new ArgumentException(
                    $"Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index {i} to be different than the optimizer passed in.",
                    nameof(schedulers));
            }

            if (!scheduler.CanBeSequenced)
            {
                // torch 1.13 fails on these too (they have no last_epoch to undo, or no step(epoch)).
                throw new ArgumentException($"Scheduler {i} is a {scheduler.GetType().Name}, which SequentialLR cannot hold.", nameof(schedulers));
            }

            _schedulers[i] = scheduler;
        }

        if (milestones.Count != _schedulers.Length - 1)
        {
            throw new ArgumentException(
                $"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {_schedulers.Length} and the number of milestones to be equal to {milestones.Count}.",
                nameof(milestones));
        }

        _milestones = new int[milestones.Count];
        for (int i = 0; i < _milestones.Length; i++)
        {
            _milestones[i] = milestones[i];
        }

        LastEpoch = 0;
        foreach (ParamGroupState group in Groups)
        {
            // Every child was built after a first one, so initial_lr is set.
            group.Lr = group.InitialLr ?? group.Lr;
        }

        foreach (LRScheduler scheduler in _schedulers)
        {
            scheduler.UndoEpoch();
        }

        _schedulers[0].InitialStep();
        SetLastLearningRates(_schedulers[0].LastLearningRates);
    }

    /// <summary>The children, in order of use.</summary>
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

    /// <summary>Steps the active child (the next one, from epoch 0, at a milestone).</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public override void Step()
    {
        EpochCounter.CheckCanAdvance(LastEpoch);
        LastEpoch++;
        int index = MultiStepLR.BisectRight(_milestones, LastEpoch);
        LRScheduler scheduler = _schedulers[index];
        if (index > 0 && _milestones[index - 1] == LastEpoch)
        {
            scheduler.StepTo(0);
        }
        else
        {
            scheduler.Step();
        }

        SetLastLearningRates(scheduler.LastLearningRates);
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal override void StepTo(int epoch)
        => throw new InvalidOperationException("SequentialLR cannot be stepped to an epoch.");

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
        => throw new InvalidOperationException("SequentialLR steps its children.");
}
