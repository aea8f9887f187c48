using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>ConstantLR</c>: multiplies the learning rate by <c>factor</c> until epoch
/// <c>total_iters</c>, then restores it (chainable: ×factor at epoch 0, ×1/factor at total_iters).
/// </summary>
public sealed class ConstantLR : LRScheduler
{
    private readonly double _factor;
    private readonly int _totalIters;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="factor">torch <c>factor</c>, in [0, 1] (0 only with <paramref name="totalIters"/> ≤ 0: torch divides by it at total_iters).</param>
    /// <param name="totalIters">torch <c>total_iters</c>: the epoch at which the rate is restored.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is outside [0, 1], or 0 with a restore to come.</exception>
    public ConstantLR(OptimizerGroups optimizers, double factor = 1.0 / 3, int totalIters = 5)
        : base(optimizers, nameof(optimizers))
    {
        if (!(factor >= 0 && factor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "Constant multiplicative factor expected to be between 0 and 1.");
        }

        if (factor == 0 && totalIters > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "A factor of 0 cannot be undone at total_iters (torch raises ZeroDivisionError there).");
        }

        _factor = factor;
        _totalIters = totalIters;
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            double lr = Groups[i].Lr;
            lrs[i] = LastEpoch == 0 ? lr * _factor
                : LastEpoch == _totalIters ? lr * (1.0 / _factor)
                : lr;
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        // torch: factor + (last_epoch >= total_iters) * (1 - factor), a bool times a float.
        double multiplier = _factor + (LastEpoch >= _totalIters ? 1 - _factor : 0.0);
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * multiplier;
        }

        return true;
    }
}
