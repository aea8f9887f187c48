using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>LinearLR</c>: scales the learning rate by a factor moving linearly from
/// <c>start_factor</c> at epoch 0 to <c>end_factor</c> at <c>total_iters</c>, then keeps it.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    private readonly double _startFactor;
    private readonly double _endFactor;
    private readonly int _totalIters;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="startFactor">torch <c>start_factor</c>, in (0, 1] (0 only with <paramref name="totalIters"/> ≤ 0: torch divides by zero at epoch 1).</param>
    /// <param name="endFactor">torch <c>end_factor</c>, in [0, 1].</param>
    /// <param name="totalIters">torch <c>total_iters</c>: the epochs the change takes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor is outside its range.</exception>
    public LinearLR(OptimizerGroups optimizers, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizers, nameof(optimizers))
    {
        if (!(startFactor >= 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "Starting multiplicative factor expected to be between 0 and 1.");
        }

        if (!(endFactor >= 0 && endFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "Ending multiplicative factor expected to be between 0 and 1.");
        }

        if (startFactor == 0 && totalIters > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "A start factor of 0 divides by zero at epoch 1 (torch raises ZeroDivisionError there).");
        }

        _startFactor = startFactor;
        _endFactor = endFactor;
        _totalIters = totalIters;
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            double lr = Groups[i].Lr;
            if (LastEpoch == 0)
            {
                lrs[i] = lr * _startFactor;
            }
            else if (LastEpoch > _totalIters)
            {
                lrs[i] = lr;
            }
            else
            {
                double delta = _endFactor - _startFactor;
                lrs[i] = lr * (1.0 + delta / (_totalIters * _startFactor + (LastEpoch - 1) * delta));
            }
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        if (_totalIters == 0)
        {
            // torch divides by total_iters here and raises ZeroDivisionError.
            throw new InvalidOperationException("LinearLR's closed form divides by total_iters, which is 0.");
        }

        double factor = _startFactor + (_endFactor - _startFactor) * Math.Min(_totalIters, LastEpoch) / _totalIters;
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * factor;
        }

        return true;
    }
}
