using System;
using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>How <see cref="OneCycleLR"/> moves between two values (torch <c>anneal_strategy</c>).</summary>
public enum AnnealStrategy
{
    /// <summary><c>cos</c>: along half a cosine.</summary>
    Cos,

    /// <summary><c>linear</c>: along a straight line.</summary>
    Linear,
}

/// <summary>
/// torch <c>OneCycleLR</c> (Smith and Topin, 2018): the rate rises from max_lr/div_factor to
/// max_lr over <c>pct_start</c> of the steps, then falls to initial/final_div_factor (with
/// <c>three_phase</c>: back to the initial rate first, then down). With <c>cycle_momentum</c> the
/// momentum moves inversely between <c>max_momentum</c> and <c>base_momentum</c>; optimizers
/// with betas (Adam, AdamW, ...) cycle <c>Beta1</c>, others <c>Momentum</c>.
/// </summary>
/// <remarks>
/// Stepping is allowed up to epoch <c>total_steps</c> (one past the last step, as in torch);
/// the step after that throws <see cref="InvalidOperationException"/>, where torch raises
/// <c>ValueError</c>, and leaves the scheduler as it was.
/// </remarks>
public sealed class OneCycleLR : LRScheduler
{
    private readonly Phase[] _phases;
    private readonly double[] _maxLrs;
    private readonly double[] _minLrs;
    private readonly double[]? _maxMomentums;
    private readonly double[]? _baseMomentums;
    private readonly AnnealStrategy _anneal;

    /// <summary>Creates the scheduler, sets the initial rates (and momentums), and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="maxLr">torch <c>max_lr</c>: the peak rate (per group or one for all).</param>
    /// <param name="totalSteps">torch <c>total_steps</c>; <see langword="null"/>: <paramref name="epochs"/> × <paramref name="stepsPerEpoch"/>.</param>
    /// <param name="epochs">torch <c>epochs</c>, used when <paramref name="totalSteps"/> is null.</param>
    /// <param name="stepsPerEpoch">torch <c>steps_per_epoch</c>, used when <paramref name="totalSteps"/> is null.</param>
    /// <param name="pctStart">torch <c>pct_start</c>: the fraction of the steps spent rising, in [0, 1].</param>
    /// <param name="annealStrategy">torch <c>anneal_strategy</c>.</param>
    /// <param name="cycleMomentum">torch <c>cycle_momentum</c>.</param>
    /// <param name="baseMomentum">torch <c>base_momentum</c>: the momentum at the peak rate.</param>
    /// <param name="maxMomentum">torch <c>max_momentum</c>: the momentum at the start and the end.</param>
    /// <param name="divFactor">torch <c>div_factor</c>: initial rate = max_lr / div_factor.</param>
    /// <param name="finalDivFactor">torch <c>final_div_factor</c>: final rate = initial rate / final_div_factor.</param>
    /// <param name="threePhase">torch <c>three_phase</c>.</param>
    /// <exception cref="ArgumentException">No step count is given, a per-group list has the wrong length, or momentum is to be cycled on an optimizer without one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive, <paramref name="pctStart"/> is outside [0, 1] or leaves the first phase empty.</exception>
    public OneCycleLR(
        OptimizerGroups optimizers,
        PerGroup maxLr,
        int? totalSteps = null,
        int? epochs = null,
        int? stepsPerEpoch = null,
        double pctStart = 0.3,
        AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true,
        PerGroup? baseMomentum = null,
        PerGroup? maxMomentum = null,
        double divFactor = 25.0,
        double finalDivFactor = 1e4,
        bool threePhase = false)
        : base(optimizers, nameof(optimizers))
    {
        TotalSteps = ResolveTotalSteps(totalSteps, epochs, stepsPerEpoch);
        if (!(pctStart >= 0 && pctStart <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"Expected float between 0 and 1 pct_start, but got {pctStart}.");
        }

        if (!Enum.IsDefined(annealStrategy))
        {
            throw new ArgumentOutOfRangeException(nameof(annealStrategy), annealStrategy, "anneal_strategy must by one of 'cos' or 'linear'.");
        }

        // torch's phase ends, in its operand order.
        double firstEnd = pctStart * TotalSteps - 1;
        _phases = threePhase
            ? new[]
            {
                new Phase(firstEnd, Value.Initial, Value.Max, Value.MaxMomentum, Value.BaseMomentum),
                new Phase(2 * pctStart * TotalSteps - 2, Value.Max, Value.Initial, Value.BaseMomentum, Value.MaxMomentum),
                new Phase(TotalSteps - 1, Value.Initial, Value.Min, Value.MaxMomentum, Value.MaxMomentum),
            }
            : new[]
            {
                new Phase(firstEnd, Value.Initial, Value.Max, Value.MaxMomentum, Value.BaseMomentum),
                new Phase(TotalSteps - 1, Value.Max, Value.Min, Value.BaseMomentum, Value.MaxMomentum),
            };

        if (firstEnd == 0)
        {
            // Step 0 would be the whole first phase: torch divides 0 by 0 (ZeroDivisionError).
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pct_start * total_steps is 1: the first phase has no length.");
        }

        _anneal = annealStrategy;
        _maxLrs = maxLr.Resolve(Groups.Length, nameof(maxLr));
        if (cycleMomentum)
        {
            foreach (ParamGroupState group in Groups)
            {
                if (!group.HasMomentum && !group.HasBeta1)
                {
                    throw new ArgumentException(
                        $"{group.Optimizer.GetType().Name} has neither Momentum nor Beta1: optimizer must support momentum with `cycle_momentum` option enabled.",
                        nameof(cycleMomentum));
                }
            }

            _maxMomentums = (maxMomentum ?? 0.95).Resolve(Groups.Length, nameof(maxMomentum));
            _baseMomentums = (baseMomentum ?? 0.85).Resolve(Groups.Length, nameof(baseMomentum));
        }

        _minLrs = new double[Groups.Length];
        for (int i = 0; i < Groups.Length; i++)
        {
            // Unlike the other schedulers, torch overwrites initial_lr here.
            Groups[i].InitialLr = _maxLrs[i] / divFactor;
            _minLrs[i] = Groups[i].InitialLr!.Value / finalDivFactor;
            if (_maxMomentums is not null)
            {
                SetMomentum(Groups[i], _maxMomentums[i]);
            }
        }

        Initialize();
    }

    private enum Value
    {
        Initial,
        Max,
        Min,
        MaxMomentum,
        BaseMomentum,
    }

    /// <summary>The number of steps in the cycle.</summary>
    public int TotalSteps { get; }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void CheckCanStep(int epoch)
    {
        if (epoch > TotalSteps)
        {
            throw new InvalidOperationException($"Tried to step {epoch + 1} times. The specified number of total steps is {TotalSteps}.");
        }
    }

    private protected override void SaveExtra(SchedulerStateWriter state) => state.Put("total_steps", TotalSteps);

    private protected override Action? PrepareExtra(SchedulerStateReader state, int lastEpoch)
    {
        // The phases are built from total_steps: another count would resume another schedule.
        state.Expect("total_steps", TotalSteps, "total_steps");
        if (lastEpoch > TotalSteps)
        {
            throw new InvalidDataException($"Scheduler state 'last_epoch' is {lastEpoch}, past total_steps {TotalSteps}.");
        }

        return null;
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        int stepNum = LastEpoch;
        for (int i = 0; i < lrs.Length; i++)
        {
            double startStep = 0;
            for (int p = 0; p < _phases.Length; p++)
            {
                Phase phase = _phases[p];
                if (stepNum <= phase.EndStep || p == _phases.Length - 1)
                {
                    double span = phase.EndStep - startStep;
                    if (span == 0)
                    {
                        // Only the last phase can get here empty (pct_start 1, at total_steps): torch raises ZeroDivisionError.
                        throw new InvalidOperationException($"Step {stepNum} falls in an empty phase of the cycle (pct_start leaves it no steps).");
                    }

                    double pct = (stepNum - startStep) / span;
                    lrs[i] = Anneal(Get(i, phase.StartLr), Get(i, phase.EndLr), pct);
                    if (_maxMomentums is not null)
                    {
                        SetMomentum(Groups[i], Anneal(Get(i, phase.StartMomentum), Get(i, phase.EndMomentum), pct));
                    }

                    break;
                }

                startStep = phase.EndStep;
            }
        }
    }

    private static int ResolveTotalSteps(int? totalSteps, int? epochs, int? stepsPerEpoch)
    {
        if (totalSteps is null && epochs is null && stepsPerEpoch is null)
        {
            throw new ArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch).", nameof(totalSteps));
        }

        if (totalSteps is { } total)
        {
            return total > 0 ? total : throw new ArgumentOutOfRangeException(nameof(totalSteps), total, $"Expected positive integer total_steps, but got {total}.");
        }

        if (epochs is not > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, $"Expected positive integer epochs, but got {epochs?.ToString() ?? "None"}.");
        }

        if (stepsPerEpoch is not > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), stepsPerEpoch, $"Expected positive integer steps_per_epoch, but got {stepsPerEpoch?.ToString() ?? "None"}.");
        }

        return checked(epochs.Value * stepsPerEpoch.Value);
    }

    // torch prefers betas when the optimizer has them (use_beta1).
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void SetMomentum(ParamGroupState group, double value)
    {
        if (group.HasBeta1)
        {
            group.SetBeta1(value);
        }
        else
        {
            group.SetMomentum(value);
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private double Get(int group, Value value) => value switch
    {
        // torch reads group['initial_lr'], which a later OneCycleLR on the same group would change.
        Value.Initial => Groups[group].InitialLr!.Value,
        Value.Max => _maxLrs[group],
        Value.Min => _minLrs[group],
        Value.MaxMomentum => _maxMomentums![group],
        _ => _baseMomentums![group],
    };

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private double Anneal(double start, double end, double pct)
    {
        if (_anneal == AnnealStrategy.Linear)
        {
            return (end - start) * pct + start;
        }

        double cosOut = Math.Cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cosOut;
    }

    private readonly record struct Phase(double EndStep, Value StartLr, Value EndLr, Value StartMomentum, Value EndMomentum);
}
