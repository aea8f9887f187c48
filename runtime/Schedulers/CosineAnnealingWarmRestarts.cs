using System;
using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>CosineAnnealingWarmRestarts</c> (SGDR): cosine annealing from the base rate to
/// <c>eta_min</c> over T_i epochs, then a restart with T_i multiplied by <c>T_mult</c>.
/// </summary>
public sealed class CosineAnnealingWarmRestarts : LRScheduler
{
    private readonly int _t0;
    private readonly int _tMult;
    private readonly double _etaMin;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="t0">torch <c>T_0</c>: the epochs until the first restart (positive).</param>
    /// <param name="tMult">torch <c>T_mult</c>: the factor of each next period (at least 1).</param>
    /// <param name="etaMin">torch <c>eta_min</c>: the lowest rate.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t0"/> is not positive or <paramref name="tMult"/> is below 1.</exception>
    public CosineAnnealingWarmRestarts(OptimizerGroups optimizers, int t0, int tMult = 1, double etaMin = 0)
        : base(optimizers, nameof(optimizers))
    {
        if (t0 <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(t0), t0, $"Expected positive integer T_0, but got {t0}.");
        }

        if (tMult < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(tMult), tMult, $"Expected integer T_mult >= 1, but got {tMult}.");
        }

        _t0 = t0;
        TI = t0;
        _tMult = tMult;
        _etaMin = etaMin;
        TCur = -1;
        Initialize();
    }

    /// <summary>torch <c>T_cur</c>: the epochs (possibly fractional) since the last restart.</summary>
    public double TCur { get; private set; }

    /// <summary>
    /// torch <c>T_i</c>: the length of the current period. A long, as Python's int is unbounded: a
    /// period multiplied by <c>T_mult</c> at each restart passes int's range within a few restarts.
    /// </summary>
    public long TI { get; private set; }

    /// <summary>Advances one epoch, restarting when the period is over.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public override void Step()
    {
        if (LastEpoch < 0)
        {
            StepTo(0.0);
            return;
        }

        EpochCounter.CheckCanAdvance(LastEpoch);
        TCur += 1;
        if (TCur >= TI)
        {
            TCur -= TI;
            TI *= _tMult;
        }

        LastEpoch++;
        SetRates();
    }

    /// <summary>
    /// Jumps to a possibly fractional <paramref name="epoch"/>, torch's <c>step(epoch)</c>, which
    /// SGDR documents for stepping within an epoch (<c>epoch + i / iterations</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative, not finite, or beyond <see cref="int.MaxValue"/> (the epoch count is an int).</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Step(double epoch)
    {
        if (!(epoch >= 0) || epoch > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"Expected an epoch in [0, {int.MaxValue}], but got {epoch}.");
        }

        StepTo(epoch);
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal override void StepTo(int epoch) => StepTo((double)epoch);

    private protected override void SaveExtra(SchedulerStateWriter state)
    {
        state.Put("t_i", TI);
        state.Put("t_cur", TCur);
    }

    private protected override Action? PrepareExtra(SchedulerStateReader state, int lastEpoch)
    {
        long tI = state.GetLong("t_i", min: 1);

        // T_cur is -1 only inside the constructor; a fractional step(epoch) leaves it fractional.
        double tCur = state.GetDouble("t_cur");
        if (tCur < 0)
        {
            throw new InvalidDataException($"Scheduler state 't_cur' is {tCur}, below 0.");
        }

        return () =>
        {
            TI = tI;
            TCur = tCur;
        };
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = _etaMin + (BaseLrs[i] - _etaMin) * (1 + Math.Cos(Math.PI * TCur / TI)) / 2;
        }
    }

    private void StepTo(double epoch)
    {
        if (epoch >= _t0)
        {
            if (_tMult == 1)
            {
                TCur = PythonMod(epoch, _t0);
            }
            else
            {
                // torch: n = int(log(epoch / T_0 * (T_mult - 1) + 1, T_mult)), a truncation.
                int n = (int)(Math.Log(epoch / _t0 * (_tMult - 1) + 1) / Math.Log(_tMult));
                double power = Math.Pow(_tMult, n);
                TCur = epoch - _t0 * (power - 1) / (_tMult - 1);
                TI = (long)(_t0 * power);
            }
        }
        else
        {
            TI = _t0;
            TCur = epoch;
        }

        LastEpoch = (int)Math.Floor(epoch);
        SetRates();
    }

    private void SetRates()
    {
        ComputeLearningRates(Scratch);
        Apply(Scratch);
    }

    // Python's float % takes the sign of the divisor; the epoch is non-negative here anyway.
    private static double PythonMod(double a, double b)
    {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }
}
