using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>torch <c>CyclicLR</c>'s built-in cycle shapes (<c>mode</c>).</summary>
public enum CyclicLRMode
{
    /// <summary><c>triangular</c>: the same triangle every cycle.</summary>
    Triangular,

    /// <summary><c>triangular2</c>: the amplitude halves every cycle.</summary>
    Triangular2,

    /// <summary><c>exp_range</c>: the amplitude scales by gamma^iteration.</summary>
    ExpRange,
}

/// <summary>What a custom scale function of <see cref="CyclicLR"/> is given (torch <c>scale_mode</c>).</summary>
public enum CyclicScaleMode
{
    /// <summary><c>cycle</c>: the cycle number, from 1.</summary>
    Cycle,

    /// <summary><c>iterations</c>: the iteration (epoch) count.</summary>
    Iterations,
}

/// <summary>
/// torch <c>CyclicLR</c> (Smith, 2017): the learning rate cycles between <c>base_lr</c> and
/// <c>max_lr</c>, up over <c>step_size_up</c> steps and down over <c>step_size_down</c>, with an
/// amplitude policy; with <c>cycle_momentum</c> the momentum cycles inversely between
/// <c>max_momentum</c> and <c>base_momentum</c>. Not chainable: it sets the rate outright.
/// </summary>
/// <remarks>
/// As in PyTorch 1.13, <c>cycle_momentum</c> (on by default) needs an optimizer with a
/// <c>Momentum</c> hyper-parameter (SGD, RMSprop); torch 1.13 does not cycle Adam's betas here,
/// so pass <c>cycleMomentum: false</c> for those.
/// </remarks>
public sealed class CyclicLR : LRScheduler
{
    private readonly double[] _maxLrs;
    private readonly double[]? _baseMomentums;
    private readonly double[]? _maxMomentums;
    private readonly double _totalSize;
    private readonly double _stepRatio;
    private readonly CyclicLRMode _mode;
    private readonly double _gamma;
    private readonly Func<double, double>? _scaleFn;
    private readonly CyclicScaleMode _scaleMode;

    /// <summary>Creates the scheduler, sets the initial rates (and momentums), and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="baseLr">torch <c>base_lr</c>: the lower bound of the cycle (per group or one for all).</param>
    /// <param name="maxLr">torch <c>max_lr</c>: the upper bound of the cycle.</param>
    /// <param name="stepSizeUp">torch <c>step_size_up</c>: steps in the rising half (positive).</param>
    /// <param name="stepSizeDown">torch <c>step_size_down</c>: steps in the falling half; <see langword="null"/>: as up.</param>
    /// <param name="mode">torch <c>mode</c>; ignored when <paramref name="scaleFn"/> is given.</param>
    /// <param name="gamma">torch <c>gamma</c>: the base of <see cref="CyclicLRMode.ExpRange"/>'s scaling.</param>
    /// <param name="scaleFn">torch <c>scale_fn</c>: a custom amplitude policy, given what <paramref name="scaleMode"/> says.</param>
    /// <param name="scaleMode">torch <c>scale_mode</c>, for <paramref name="scaleFn"/> only.</param>
    /// <param name="cycleMomentum">torch <c>cycle_momentum</c>: cycle the optimizer's <c>Momentum</c> too.</param>
    /// <param name="baseMomentum">torch <c>base_momentum</c>: the momentum at the peak of the rate.</param>
    /// <param name="maxMomentum">torch <c>max_momentum</c>: the momentum at the base rate.</param>
    /// <exception cref="ArgumentException">A per-group list has the wrong length, or momentum is to be cycled on an optimizer without one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A step size is not positive, or <paramref name="mode"/> is undefined.</exception>
    public CyclicLR(
        OptimizerGroups optimizers,
        PerGroup baseLr,
        PerGroup maxLr,
        double stepSizeUp = 2000,
        double? stepSizeDown = null,
        CyclicLRMode mode = CyclicLRMode.Triangular,
        double gamma = 1.0,
        Func<double, double>? scaleFn = null,
        CyclicScaleMode scaleMode = CyclicScaleMode.Cycle,
        bool cycleMomentum = true,
        PerGroup? baseMomentum = null,
        PerGroup? maxMomentum = null)
        : base(optimizers, nameof(optimizers))
    {
        // torch divides by both (and their sum); a zero or negative size makes no cycle.
        if (!(stepSizeUp > 0) || double.IsInfinity(stepSizeUp))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSizeUp), stepSizeUp, "The rising half must take a positive, finite number of steps.");
        }

        double down = stepSizeDown ?? stepSizeUp;
        if (!(down > 0) || double.IsInfinity(down))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSizeDown), stepSizeDown, "The falling half must take a positive, finite number of steps.");
        }

        if (scaleFn is null && !Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode is invalid and scale_fn is None.");
        }

        if (!Enum.IsDefined(scaleMode))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleMode), scaleMode, "Unknown scale mode.");
        }

        double[] baseLrs = baseLr.Resolve(Groups.Length, nameof(baseLr));
        _maxLrs = maxLr.Resolve(Groups.Length, nameof(maxLr));
        if (cycleMomentum)
        {
            foreach (ParamGroupState group in Groups)
            {
                if (!group.HasMomentum)
                {
                    throw new ArgumentException(
                        $"{group.Optimizer.GetType().Name} has no Momentum hyper-parameter: optimizer must support momentum with `cycle_momentum` option enabled.",
                        nameof(cycleMomentum));
                }
            }

            _baseMomentums = (baseMomentum ?? 0.8).Resolve(Groups.Length, nameof(baseMomentum));
            _maxMomentums = (maxMomentum ?? 0.9).Resolve(Groups.Length, nameof(maxMomentum));
        }

        _totalSize = stepSizeUp + down;
        _stepRatio = stepSizeUp / _totalSize;
        _mode = mode;
        _gamma = gamma;
        _scaleFn = scaleFn;
        _scaleMode = scaleFn is not null ? scaleMode
            : mode == CyclicLRMode.ExpRange ? CyclicScaleMode.Iterations
            : CyclicScaleMode.Cycle;

        for (int i = 0; i < Groups.Length; i++)
        {
            Groups[i].Lr = baseLrs[i];
            if (_baseMomentums is not null)
            {
                Groups[i].SetMomentum(_baseMomentums[i]);
            }
        }

        // torch takes the initial step with base_lrs = the groups' initial_lr, and only then
        // replaces them with base_lr (they differ when an earlier scheduler set initial_lr).
        Initialize();
        baseLrs.CopyTo(BaseLrs, 0);
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        int cycle = (int)Math.Floor(1 + LastEpoch / _totalSize);
        double x = 1.0 + LastEpoch / _totalSize - cycle;
        double scaleFactor = x <= _stepRatio ? x / _stepRatio : (x - 1) / (_stepRatio - 1);
        double scale = Scale(_scaleMode == CyclicScaleMode.Cycle ? cycle : LastEpoch);
        for (int i = 0; i < lrs.Length; i++)
        {
            double baseHeight = (_maxLrs[i] - BaseLrs[i]) * scaleFactor;
            lrs[i] = BaseLrs[i] + baseHeight * scale;
        }

        if (_baseMomentums is not null)
        {
            for (int i = 0; i < Groups.Length; i++)
            {
                double baseHeight = (_maxMomentums![i] - _baseMomentums[i]) * scaleFactor;
                Groups[i].SetMomentum(_maxMomentums[i] - baseHeight * scale);
            }
        }
    }

    private double Scale(double x)
    {
        if (_scaleFn is not null)
        {
            return _scaleFn(x);
        }

        return _mode switch
        {
            CyclicLRMode.Triangular => 1.0,
            CyclicLRMode.Triangular2 => 1 / Math.Pow(2.0, x - 1),
            _ => Math.Pow(_gamma, x),
        };
    }
}
