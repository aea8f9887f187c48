using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>CosineAnnealingLR</c> in its recursive (chainable) form: each step rescales the
/// current rate's distance to <c>eta_min</c> by the ratio of consecutive cosine factors, so a
/// rate changed from outside is annealed from where it is. Alone it equals the closed form
/// η = η_min + (η_base − η_min)(1 + cos(π·epoch/T_max))/2, and past T_max it climbs back (it
/// does not restart: see <see cref="CosineAnnealingWarmRestarts"/>).
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int _tMax;
    private readonly double _etaMin;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="tMax">torch <c>T_max</c>: the epochs of a half period (positive; torch divides by it).</param>
    /// <param name="etaMin">torch <c>eta_min</c>: the lowest rate.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is not positive.</exception>
    public CosineAnnealingLR(OptimizerGroups optimizers, int tMax, double etaMin = 0)
        : base(optimizers, nameof(optimizers))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        _tMax = tMax;
        _etaMin = etaMin;
        Initialize();
    }

    // Each expression keeps torch's operand order, so the doubles match its floats bit for bit.
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        int epoch = LastEpoch;
        for (int i = 0; i < lrs.Length; i++)
        {
            double lr = Groups[i].Lr;
            if (epoch == 0)
            {
                lrs[i] = lr;
            }
            else if (StepCount == 1 && epoch > 0)
            {
                lrs[i] = _etaMin + (BaseLrs[i] - _etaMin) * (1 + Math.Cos(epoch * Math.PI / _tMax)) / 2;
            }
            else if ((epoch - 1 - _tMax) % (2 * _tMax) == 0)
            {
                // At the bottom of the cosine the ratio below would divide by zero: step up instead.
                lrs[i] = lr + (BaseLrs[i] - _etaMin) * (1 - Math.Cos(Math.PI / _tMax)) / 2;
            }
            else
            {
                lrs[i] = (1 + Math.Cos(Math.PI * epoch / _tMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / _tMax)) * (lr - _etaMin) + _etaMin;
            }
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = _etaMin + (BaseLrs[i] - _etaMin) * (1 + Math.Cos(Math.PI * LastEpoch / _tMax)) / 2;
        }

        return true;
    }
}
