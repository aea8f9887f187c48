using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;

namespace KernelGen.Schedulers;

/// <summary>Whether <see cref="ReduceLROnPlateau"/>'s metric should go down or up (torch <c>mode</c>).</summary>
public enum PlateauMode
{
    /// <summary><c>min</c>: a loss; lower is better.</summary>
    Min,

    /// <summary><c>max</c>: an accuracy; higher is better.</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> measures a significant improvement (torch <c>threshold_mode</c>).</summary>
public enum ThresholdMode
{
    /// <summary><c>rel</c>: better than best × (1 ∓ threshold).</summary>
    Rel,

    /// <summary><c>abs</c>: better than best ∓ threshold.</summary>
    Abs,
}

/// <summary>
/// torch <c>ReduceLROnPlateau</c>: multiplies the learning rate by <c>factor</c> (not below
/// <c>min_lr</c>) once the metric passed to <see cref="Step"/> has not improved for more than
/// <c>patience</c> steps, then waits <c>cooldown</c> steps before counting again. It does not
/// change the rate when built, and it is not an <see cref="LRScheduler"/> (as in torch 1.13, it
/// cannot be chained or sequenced).
/// </summary>
/// <remarks>
/// An <see cref="ICheckpointState"/>: its counters, best metric, epoch and its groups' double
/// rates are saved with the optimizer and restored into a new one built with the same arguments.
/// </remarks>
public sealed class ReduceLROnPlateau : ICheckpointState
{
    private readonly ParamGroupState[] _groups;
    private readonly double[] _minLrs;
    private readonly double[] _lastLrs;
    private readonly ReadOnlyCollection<Optimizer> _optimizers;
    private readonly PlateauMode _mode;
    private readonly ThresholdMode _thresholdMode;
    private readonly double _factor;
    private readonly double _threshold;
    private readonly int _patience;
    private readonly int _cooldown;
    private readonly double _eps;

    /// <summary>Creates the scheduler; the rates stay as they are until a plateau.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="mode">torch <c>mode</c>.</param>
    /// <param name="factor">torch <c>factor</c>: the multiplier of a reduction, below 1.</param>
    /// <param name="patience">torch <c>patience</c>: bad steps tolerated before a reduction.</param>
    /// <param name="threshold">torch <c>threshold</c>: the least improvement that counts.</param>
    /// <param name="thresholdMode">torch <c>threshold_mode</c>.</param>
    /// <param name="cooldown">torch <c>cooldown</c>: steps after a reduction during which bad steps are not counted.</param>
    /// <param name="minLr">torch <c>min_lr</c>: the lowest rate (per group or one for all).</param>
    /// <param name="eps">torch <c>eps</c>: a reduction smaller than this is skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is not below 1, or an enum value is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="minLr"/> has the wrong number of values.</exception>
    public ReduceLROnPlateau(
        OptimizerGroups optimizers,
        PlateauMode mode = PlateauMode.Min,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Rel,
        int cooldown = 0,
        PerGroup? minLr = null,
        double eps = 1e-8)
    {
        if (!(factor < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "Factor should be < 1.0.");
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"mode {mode} is unknown!");
        }

        if (!Enum.IsDefined(thresholdMode))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, $"threshold mode {thresholdMode} is unknown!");
        }

        Optimizer[] resolved = optimizers.Resolve(nameof(optimizers));
        _groups = new ParamGroupState[resolved.Length];
        for (int i = 0; i < resolved.Length; i++)
        {
            _groups[i] = ParamGroupState.Of(resolved[i], nameof(optimizers));
        }

        _minLrs = (minLr ?? 0.0).Resolve(_groups.Length, nameof(minLr));
        _optimizers = Array.AsReadOnly(resolved);
        _lastLrs = new double[_groups.Length];
        LastLearningRates = Array.AsReadOnly(_lastLrs);
        for (int i = 0; i < _groups.Length; i++)
        {
            _lastLrs[i] = _groups[i].Lr;
        }

        _mode = mode;
        _factor = factor;
        _patience = patience;
        _threshold = threshold;
        _thresholdMode = thresholdMode;
        _cooldown = cooldown;
        _eps = eps;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The optimizers driven, one per parameter group.</summary>
    public IReadOnlyList<Optimizer> Optimizers => _optimizers;

    /// <summary>The learning rate of each group after the last step (a live view).</summary>
    public IReadOnlyList<double> LastLearningRates { get; }

    /// <summary>The best metric so far (±infinity before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>Steps since the last significant improvement (torch <c>num_bad_epochs</c>).</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Steps of cooldown left (torch <c>cooldown_counter</c>).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Whether the scheduler is cooling down after a reduction.</summary>
    public bool InCooldown => CooldownCounter > 0;

    /// <summary>The number of steps taken (torch <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>
    /// Writes the state (torch's <c>state_dict()</c> and its groups' <c>lr</c>): <c>best</c>,
    /// <c>num_bad_epochs</c>, <c>cooldown_counter</c>, <c>last_epoch</c>, the last rates and each
    /// group's double rate, doubles with <c>"R"</c>.
    /// </summary>
    /// <param name="state">Where to write.</param>
    public void Save(IDictionary<string, string> state)
    {
        var writer = new SchedulerStateWriter(state);
        writer.Put("type", nameof(ReduceLROnPlateau));
        writer.PutGroups(_groups);
        writer.Put("last_epoch", LastEpoch);
        writer.Put("best", Best);
        writer.Put("num_bad_epochs", NumBadEpochs);
        writer.Put("cooldown_counter", CooldownCounter);
        writer.PutArray("last_lrs", _lastLrs);
    }

    /// <summary>
    /// Parses and validates saved state, changing nothing, and returns the commit that restores
    /// it. Refused: another kind of scheduler, another number of groups, a missing, unknown or
    /// unparsable value, a NaN best or a rate that is not finite.
    /// </summary>
    /// <param name="state">What <see cref="Save"/> wrote.</param>
    /// <returns>The commit: restores the state and does not throw.</returns>
    /// <exception cref="InvalidDataException">The state does not fit this scheduler.</exception>
    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
        var reader = new SchedulerStateReader(state);
        reader.Expect("type", nameof(ReduceLROnPlateau), "scheduler kind");
        Action groups = reader.GetGroups(_groups);
        int lastEpoch = reader.GetInt("last_epoch", min: 0);

        // ±infinity is the best before the first metric, so only NaN is refused.
        double best = reader.GetDouble("best", finite: false);
        int numBadEpochs = reader.GetInt("num_bad_epochs", min: 0);
        int cooldownCounter = reader.GetInt("cooldown_counter", min: 0);
        double[] lastLrs = reader.GetArray("last_lrs", _groups.Length);
        reader.CheckAllRead();
        return () =>
        {
            groups();
            LastEpoch = lastEpoch;
            Best = best;
            NumBadEpochs = numBadEpochs;
            CooldownCounter = cooldownCounter;
            lastLrs.CopyTo(_lastLrs, 0);
        };
    }

    /// <summary>Records the metric of the epoch just finished and reduces the rates on a plateau.</summary>
    public void Step(double metric)
    {
        EpochCounter.CheckCanAdvance(LastEpoch);
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }

        if (InCooldown)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }

        if (NumBadEpochs > _patience)
        {
            ReduceLearningRates();
            CooldownCounter = _cooldown;
            NumBadEpochs = 0;
        }

        for (int i = 0; i < _groups.Length; i++)
        {
            _lastLrs[i] = _groups[i].Lr;
        }
    }

    private void ReduceLearningRates()
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            double oldLr = _groups[i].Lr;
            double reduced = oldLr * _factor;

            // Python's max(a, b) keeps a unless b is greater (NaN stays as torch's does).
            double newLr = _minLrs[i] > reduced ? _minLrs[i] : reduced;
            if (oldLr - newLr > _eps)
            {
                _groups[i].Lr = newLr;
            }
        }
    }

    private bool IsBetter(double a, double best) => (_mode, _thresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < best * (1.0 - _threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < best - _threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > best * (_threshold + 1.0),
        _ => a > best + _threshold,
    };
}
