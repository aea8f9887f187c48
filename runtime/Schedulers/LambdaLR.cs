using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>LambdaLR</c>: the learning rate is the base rate times <c>lr_lambda(epoch)</c>.
/// The delegate is called once per group per step; keep it allocation-free to keep stepping so.
/// </summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the scheduler with one function for every group and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="lrLambda">torch <c>lr_lambda</c>: the factor for an epoch.</param>
    public LambdaLR(OptimizerGroups optimizers, Func<int, double> lrLambda)
        : this(optimizers, Repeat(lrLambda, optimizers.Count, nameof(lrLambda)))
    {
    }

    /// <summary>Creates the scheduler with one function per group and takes its initial step.</summary>
    /// <param name="optimizers">The optimizers, one per parameter group.</param>
    /// <param name="lrLambdas">torch's list form of <c>lr_lambda</c>, one per group.</param>
    /// <exception cref="ArgumentException">The list's length differs from the number of groups, or holds a null.</exception>
    public LambdaLR(OptimizerGroups optimizers, IReadOnlyList<Func<int, double>> lrLambdas)
        : base(optimizers, nameof(optimizers))
    {
        _lambdas = CopyLambdas(lrLambdas, Groups.Length, nameof(lrLambdas));
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * _lambdas[i](LastEpoch);
        }
    }

    internal static Func<int, double>[] Repeat(Func<int, double> lambda, int count, string argument)
    {
        ArgumentNullException.ThrowIfNull(lambda, argument);
        var lambdas = new Func<int, double>[count];
        Array.Fill(lambdas, lambda);
        return lambdas;
    }

    internal static Func<int, double>[] CopyLambdas(IReadOnlyList<Func<int, double>> lambdas, int groups, string argument)
    {
        ArgumentNullException.ThrowIfNull(lambdas, argument);
        if (lambdas.Count != groups)
        {
            throw new ArgumentException($"Expected {groups} lr_lambdas, but got {lambdas.Count}.", argument);
        }

        var copy = new Func<int, double>[groups];
        for (int i = 0; i < groups; i++)
        {
            copy[i] = lambdas[i] ?? throw new ArgumentException($"lr_lambda {i} is null.", argument);
        }

        return copy;
    }
}
