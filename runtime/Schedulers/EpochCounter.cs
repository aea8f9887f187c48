using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>The epoch counts of schedulers are ints: a step past <see cref="int.MaxValue"/> is refused, not wrapped.</summary>
internal static class EpochCounter
{
    /// <exception cref="InvalidOperationException"><paramref name="lastEpoch"/> is <see cref="int.MaxValue"/>.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static void CheckCanAdvance(int lastEpoch)
    {
        if (lastEpoch == int.MaxValue)
        {
            throw new InvalidOperationException($"The scheduler is at epoch {int.MaxValue}, the most its epoch count holds: another step would overflow it. Nothing was changed.");
        }
    }
}
