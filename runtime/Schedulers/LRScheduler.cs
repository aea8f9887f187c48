using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// A learning-rate scheduler with the semantics of <c>torch.optim.lr_scheduler</c> (PyTorch 1.13):
/// built after the optimizers' hyper-parameters are set, it takes its initial step at once (the
/// rate for epoch 0), and <see cref="Step"/> is called once after every optimizer step.
/// Rates are computed and kept in double per group and written to each optimizer's
/// <c>LearningRate</c> as a float. Stepping allocates nothing.
/// </summary>
/// <remarks>
/// Like torch's param groups, the rate and <c>initial_lr</c> of a group belong to the optimizer,
/// not to one scheduler: every scheduler built on the same optimizer shares them, which is what
/// makes <see cref="ChainedScheduler"/> and <see cref="SequentialLR"/> work, and a later
/// scheduler starts from the <c>initial_lr</c> the first one recorded. A rate set on the optimizer
/// directly is picked up by the next step of the chainable schedulers, as in torch.
/// <para>
/// A scheduler is an <see cref="ICheckpointState"/>: pass it in
/// <see cref="CheckpointOptions.Participants"/> and a run resumed from the checkpoint, with a new
/// scheduler built with the same arguments on the loaded optimizers, continues bit for bit.
/// Functions (<see cref="LambdaLR"/>'s, <see cref="CyclicLR"/>'s <c>scaleFn</c>) are not saved:
/// the new scheduler must be given them again.
/// </para>
/// </remarks>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)]
public abstract class LRScheduler : ICheckpointState
{
    private readonly double[] _lastLrs;
    private readonly double[] _values;
    private readonly ReadOnlyCollection<Optimizer> _optimizers;

    private protected LRScheduler(OptimizerGroups optimizers, string argument)
    {
        Optimizer[] resolved = optimizers.Resolve(argument);
        Groups = new ParamGroupState[resolved.Length];
        for (int i = 0; i < resolved.Length; i++)
        {
            Groups[i] = ParamGroupState.Of(resolved[i], argument);
        }

        _optimizers = Array.AsReadOnly(resolved);
        _lastLrs = new double[resolved.Length];
        _values = new double[resolved.Length];
        BaseLrs = new double[resolved.Length];
        LastLearningRates = Array.AsReadOnly(_lastLrs);
        BaseLearningRates = Array.AsReadOnly(BaseLrs);
        for (int i = 0; i < Groups.Length; i++)
        {
            _lastLrs[i] = Groups[i].Lr;
        }

        LastEpoch = -1;
    }

    /// <summary>The optimizers driven, one per parameter group.</summary>
    public IReadOnlyList<Optimizer> Optimizers => _optimizers;

    /// <summary>
    /// The learning rate of each group after the last step (torch's <c>get_last_lr()</c>), in
    /// double. A live view: it changes with every step, so copy it to keep a value.
    /// </summary>
    public IReadOnlyList<double> LastLearningRates { get; }

    /// <summary>The index of the last epoch (torch's <c>last_epoch</c>): 0 after construction.</summary>
    public int LastEpoch { get; private protected set; }

    /// <summary>torch's <c>base_lrs</c>: each group's <c>initial_lr</c> when the scheduler was built.</summary>
    public IReadOnlyList<double> BaseLearningRates { get; }

    private protected ParamGroupState[] Groups { get; }

    /// <summary>One double per group for computing rates without allocating.</summary>
    private protected Span<double> Scratch => _values;

    private protected double[] BaseLrs { get; }

    /// <summary>torch's <c>_step_count</c> (only <see cref="CosineAnnealingLR"/> reads it).</summary>
    private protected int StepCount { get; set; }

    /// <summary>
    /// Writes the scheduler's state (torch's <c>state_dict()</c> and the <c>lr</c>/<c>initial_lr</c>
    /// of its groups): the epoch, the step count, the base and last rates, each group's double
    /// rate, what a scheduler keeps beyond that, and a composite's children. Doubles are written
    /// with <c>"R"</c>, so they load back to the same bits.
    /// </summary>
    /// <param name="state">Where to write.</param>
    public void Save(IDictionary<string, string> state) => SaveTo(new SchedulerStateWriter(state));

    /// <summary>
    /// Parses and validates saved state for this scheduler, changing nothing, and returns the
    /// commit that restores it. Refused: another kind of scheduler, another number of groups or
    /// children, a missing, unknown or unparsable value, a rate that is not finite.
    /// </summary>
    /// <param name="state">What <see cref="Save"/> wrote.</param>
    /// <returns>The commit: restores the state and does not throw.</returns>
    /// <exception cref="InvalidDataException">The state does not fit this scheduler.</exception>
    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
        var reader = new SchedulerStateReader(state);
        Action commit = PrepareFrom(reader);
        reader.CheckAllRead();
        return commit;
    }

    /// <summary>Advances one epoch and sets every group's learning rate.</summary>
    /// <exception cref="InvalidOperationException">The epoch count is at <see cref="int.MaxValue"/>; nothing was changed.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public virtual void Step()
    {
        EpochCounter.CheckCanAdvance(LastEpoch);
        CheckCanStep(LastEpoch + 1);
        StepCount++;
        LastEpoch++;
        ComputeLearningRates(_values);
        Apply(_values);
    }

    /// <summary>
    /// Compiles this scheduler's <see cref="Step"/> fully optimized (the rates, and the writes of the
    /// learning rate, momentum or beta into its optimizers), so that the first step after it does
    /// not wait for the JIT, and calls the math functions the rates use once (the runtime binds each
    /// at its first call): call it at load, with <see cref="Optimizer.Warm"/>. It changes nothing
    /// (no epoch, no rate), may run on any thread, and allocates nothing after its first call.
    /// </summary>
    public void Warm()
    {
        WarmUp.CallMathFunctions();
        WarmUp.PrepareOptimized(typeof(LRScheduler));
        WarmUp.PrepareOptimized(typeof(ParamGroupState));
        WarmUp.PrepareOptimized(typeof(EpochCounter));
        WarmUp.PrepareOptimized(GetType());
        for (int i = 0; i < _optimizers.Count; i++)
        {
            _optimizers[i].WarmHyperparameterAccess();
        }

        WarmChildren();
    }

    /// <summary>Warms the schedulers a composite steps (<see cref="ChainedScheduler"/>, <see cref="SequentialLR"/>).</summary>
    private protected virtual void WarmChildren()
    {
    }

    /// <summary>
    /// torch's <c>step(epoch)</c>, used by <see cref="SequentialLR"/> at a milestone: jumps to
    /// <paramref name="epoch"/> and uses the closed form where the scheduler has one.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal virtual void StepTo(int epoch)
    {
        CheckCanStep(epoch);
        StepCount++;
        LastEpoch = epoch;
        if (!TryComputeClosedForm(_values))
        {
            ComputeLearningRates(_values);
        }

        Apply(_values);
    }

    /// <summary>torch's <c>_initial_step()</c>: resets the step count and steps once.</summary>
    internal void InitialStep()
    {
        StepCount = 0;
        Step();
    }

    /// <summary>Whether <see cref="SequentialLR"/> can hold this scheduler (not a composite).</summary>
    internal virtual bool CanBeSequenced => true;

    /// <summary>torch's <c>scheduler.last_epoch -= 1</c>, done by <see cref="SequentialLR"/> to its children.</summary>
    internal void UndoEpoch() => LastEpoch--;

    /// <summary>
    /// Ends a derived constructor as torch's <c>_LRScheduler.__init__</c> does: records each group's
    /// <c>initial_lr</c> if none is set yet, takes those as the base rates, and takes the initial step.
    /// </summary>
    private protected void Initialize()
    {
        for (int i = 0; i < Groups.Length; i++)
        {
            Groups[i].InitialLr ??= Groups[i].Lr;
            BaseLrs[i] = Groups[i].InitialLr!.Value;
        }

        InitialStep();
    }

    /// <summary>Writes this scheduler's pairs, the base ones then <see cref="SaveExtra"/>'s.</summary>
    internal void SaveTo(SchedulerStateWriter state)
    {
        state.Put("type", GetType().Name);
        state.PutGroups(Groups);
        state.Put("last_epoch", LastEpoch);
        state.Put("step_count", StepCount);
        state.PutArray("base_lrs", BaseLrs);
        state.PutArray("last_lrs", _lastLrs);
        SaveExtra(state);
    }

    /// <summary>Parses what <see cref="SaveTo"/> wrote; the returned commit restores it.</summary>
    internal Action PrepareFrom(SchedulerStateReader state)
    {
        // The kind first: any other difference is best explained by it.
        state.Expect("type", GetType().Name, "scheduler kind");
        Action groups = state.GetGroups(Groups);

        // -1: a composite's epoch (it never steps itself), or a SequentialLR child not yet started.
        int lastEpoch = state.GetInt("last_epoch", min: -1);
        int stepCount = state.GetInt("step_count", min: 0);
        double[] baseLrs = state.GetArray("base_lrs", Groups.Length);
        double[] lastLrs = state.GetArray("last_lrs", Groups.Length);
        Action? extra = PrepareExtra(state, lastEpoch);
        return () =>
        {
            groups();
            LastEpoch = lastEpoch;
            StepCount = stepCount;
            baseLrs.CopyTo(BaseLrs, 0);
            lastLrs.CopyTo(_lastLrs, 0);
            extra?.Invoke();
        };
    }

    /// <summary>A composite's children, each under <c>schedulers.I.</c>, with their count.</summary>
    private protected static void SaveChildren(SchedulerStateWriter state, LRScheduler[] children)
    {
        state.Put("scheduler_count", children.Length);
        for (int i = 0; i < children.Length; i++)
        {
            children[i].SaveTo(state.Nested($"schedulers.{i}."));
        }
    }

    /// <summary>Parses every child's state; the commit restores them all.</summary>
    private protected static Action PrepareChildren(SchedulerStateReader state, LRScheduler[] children)
    {
        state.Expect("scheduler_count", children.Length, "number of child schedulers");
        var commits = new Action[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            commits[i] = children[i].PrepareFrom(state.Nested($"schedulers.{i}."));
        }

        return () =>
        {
            foreach (Action commit in commits)
            {
                commit();
            }
        };
    }

    /// <summary>Writes the state a scheduler keeps beyond the base's (none by default).</summary>
    private protected virtual void SaveExtra(SchedulerStateWriter state)
    {
    }

    /// <summary>
    /// Parses what <see cref="SaveExtra"/> wrote, changing nothing; returns the commit, or null
    /// when there is nothing more to restore.
    /// </summary>
    /// <param name="state">The pairs.</param>
    /// <param name="lastEpoch">The saved epoch, already parsed, for checks against it.</param>
    private protected virtual Action? PrepareExtra(SchedulerStateReader state, int lastEpoch) => null;

    /// <summary>torch's <c>get_lr()</c>: the rates for <see cref="LastEpoch"/>, usually from the current ones.</summary>
    private protected abstract void ComputeLearningRates(Span<double> lrs);

    /// <summary>torch's <c>_get_closed_form_lr()</c>, for schedulers that have one.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected virtual bool TryComputeClosedForm(Span<double> lrs) => false;

    /// <summary>Throws, before any state changes, when stepping to <paramref name="epoch"/> is not allowed.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected virtual void CheckCanStep(int epoch)
    {
    }

    /// <summary>Writes the rates to the groups and records them as the last ones.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected void Apply(ReadOnlySpan<double> lrs)
    {
        for (int i = 0; i < Groups.Length; i++)
        {
            double lr = lrs.ItemAt(i);
            Groups[i].Lr = lr;
            _lastLrs[i] = lr;
        }
    }

    /// <summary>Copies another scheduler's last rates (composites report their active child's).</summary>
    private protected void SetLastLearningRates(IReadOnlyList<double> lrs)
    {
        for (int i = 0; i < _lastLrs.Length; i++)
        {
            _lastLrs[i] = lrs[i];
        }
    }

    /// <summary>Records the groups' current rates as the last ones.</summary>
    private protected void ReadLastLearningRates()
    {
        for (int i = 0; i < _lastLrs.Length; i++)
        {
            _lastLrs[i] = Groups[i].Lr;
        }
    }

    private protected bool SameGroups(LRScheduler other)
    {
        if (other.Groups.Length != Groups.Length)
        {
            return false;
        }

        for (int i = 0; i < Groups.Length; i++)
        {
            if (!ReferenceEquals(other.Groups[i], Groups[i]))
            {
                return false;
            }
        }

        return true;
    }
}
