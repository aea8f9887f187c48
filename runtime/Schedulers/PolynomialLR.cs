using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>PolynomialLR</c>: decays the learning rate as (1 − epoch/total_iters)^power until
/// <c>total_iters</c>, then keeps it (0 when the schedule runs alone).
/// </summary>
public sealed class PolynomialLR : LRScheduler
{
    private readonly int _totalIters;
    private readonly double _power;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="totalIters">torch <c>total_iters</c>: the epochs the decay takes.</param>
    /// <param name="power">torch <c>power</c>: the power of the polynomial.</param>
    public PolynomialLR(OptimizerGroups optimizers, int totalIters = 5, double power = 1.0)
        : base(optimizers, nameof(optimizers))
    {
        _totalIters = totalIters;
        _power = power;
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        bool keep = LastEpoch == 0 || LastEpoch > _totalIters;
        double decay = keep ? 1 : Math.Pow((1.0 - (double)LastEpoch / _totalIters) / (1.0 - (double)(LastEpoch - 1) / _totalIters), _power);
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = keep ? Groups[i].Lr : Groups[i].Lr * decay;
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        if (_totalIters == 0)
        {
            // torch divides by total_iters here and raises ZeroDivisionError.
            throw new InvalidOperationException("PolynomialLR's closed form divides by total_iters, which is 0.");
        }

        double factor = Math.Pow(1.0 - (double)Math.Min(_totalIters, LastEpoch) / _totalIters, _power);
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * factor;
        }

        return true;
    }
}
