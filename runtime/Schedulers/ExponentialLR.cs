using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>torch <c>ExponentialLR</c>: multiplies the learning rate by <c>gamma</c> every epoch.</summary>
public sealed class ExponentialLR : LRScheduler
{
    private readonly double _gamma;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="gamma">torch <c>gamma</c>: the decay factor.</param>
    public ExponentialLR(OptimizerGroups optimizers, double gamma)
        : base(optimizers, nameof(optimizers))
    {
        _gamma = gamma;
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = LastEpoch == 0 ? Groups[i].Lr : Groups[i].Lr * _gamma;
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * Math.Pow(_gamma, LastEpoch);
        }

        return true;
    }
}
