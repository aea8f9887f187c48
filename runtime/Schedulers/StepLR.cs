using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>StepLR</c>: multiplies the learning rate by <c>gamma</c> every <c>step_size</c> epochs
/// (chainable: lr ← lr·γ when epoch is a positive multiple of step_size).
/// </summary>
public sealed class StepLR : LRScheduler
{
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="stepSize">torch <c>step_size</c>: the period of the decay, in epochs (positive).</param>
    /// <param name="gamma">torch <c>gamma</c>: the decay factor.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is not positive (torch divides by it at the first step).</exception>
    public StepLR(OptimizerGroups optimizers, int stepSize, double gamma = 0.1)
        : base(optimizers, nameof(optimizers))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        _stepSize = stepSize;
        _gamma = gamma;
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        bool decay = LastEpoch != 0 && LastEpoch % _stepSize == 0;
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = decay ? Groups[i].Lr * _gamma : Groups[i].Lr;
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * Math.Pow(_gamma, FloorDiv(LastEpoch, _stepSize));
        }

        return true;
    }

    // Python's // floors; C#'s / truncates toward zero.
    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);
}
