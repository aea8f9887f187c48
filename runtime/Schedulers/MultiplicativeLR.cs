using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>MultiplicativeLR</c>: from epoch 1 on, multiplies the current learning rate by
/// <c>lr_lambda(epoch)</c>. Keep the delegate allocation-free to keep stepping so.
/// </summary>
public sealed class MultiplicativeLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the scheduler with one function for every group and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="lrLambda">torch <c>lr_lambda</c>: the factor for an epoch.</param>
    public MultiplicativeLR(OptimizerGroups optimizers, Func<int, double> lrLambda)
        : this(optimizers, LambdaLR.Repeat(lrLambda, optimizers.Count, nameof(lrLambda)))
    {
    }

    /// <summary>Creates the scheduler with one function per group and takes its initial step.</summary>
    /// <param name="optimizers">The optimizers, one per parameter group.</param>
    /// <param name="lrLambdas">torch's list form of <c>lr_lambda</c>, one per group.</param>
    /// <exception cref="ArgumentException">The list's length differs from the number of groups, or holds a null.</exception>
    public MultiplicativeLR(OptimizerGroups optimizers, IReadOnlyList<Func<int, double>> lrLambdas)
        : base(optimizers, nameof(optimizers))
    {
        _lambdas = LambdaLR.CopyLambdas(lrLambdas, Groups.Length, nameof(lrLambdas));
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = LastEpoch > 0 ? Groups[i].Lr * _lambdas[i](LastEpoch) : Groups[i].Lr;
        }
    }
}
