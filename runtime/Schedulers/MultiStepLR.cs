using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// torch <c>MultiStepLR</c>: multiplies the learning rate by <c>gamma</c> at each milestone epoch
/// (by γⁿ when a milestone is listed n times, as torch's <c>Counter</c> does).
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly int[] _milestones;
    private readonly double _gamma;

    /// <summary>Creates the scheduler and takes its initial step.</summary>
    /// <param name="optimizers">The optimizer, or one per parameter group.</param>
    /// <param name="milestones">torch <c>milestones</c>: the epochs at which to decay (copied; any order, repeats count).</param>
    /// <param name="gamma">torch <c>gamma</c>: the decay factor.</param>
    public MultiStepLR(OptimizerGroups optimizers, IReadOnlyList<int> milestones, double gamma = 0.1)
        : base(optimizers, nameof(optimizers))
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = new int[milestones.Count];
        for (int i = 0; i < _milestones.Length; i++)
        {
            _milestones[i] = milestones[i];
        }

        // Sorted once: the chainable form counts, the closed form bisects (torch sorts there too).
        Array.Sort(_milestones);
        _gamma = gamma;
        Initialize();
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void ComputeLearningRates(Span<double> lrs)
    {
        int count = 0;
        foreach (int milestone in _milestones)
        {
            count += milestone == LastEpoch ? 1 : 0;
        }

        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = count == 0 ? Groups[i].Lr : Groups[i].Lr * Math.Pow(_gamma, count);
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override bool TryComputeClosedForm(Span<double> lrs)
    {
        int passed = BisectRight(_milestones, LastEpoch);
        for (int i = 0; i < lrs.Length; i++)
        {
            lrs[i] = BaseLrs[i] * Math.Pow(_gamma, passed);
        }

        return true;
    }

    /// <summary>Python's <c>bisect.bisect_right</c>, step for step (so unsorted input behaves as in torch too).</summary>
    internal static int BisectRight(ReadOnlySpan<int> values, int x)
    {
        int lo = 0;
        int hi = values.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (x < values.ItemAt(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
