using System;

namespace KernelGen.Tests;

/// <summary>Measures the managed bytes an action allocates on this thread.</summary>
internal static class AllocationProbe
{
    /// <summary>
    /// The fewest bytes allocated by <paramref name="steps"/> calls, over a few rounds: an
    /// allocation per call shows in every round, while the per-thread counter's occasional
    /// over-count while other tests allocate and collect in parallel (seen as a few hundred
    /// bytes in a whole-suite run) shows in one round at most.
    /// </summary>
    public static long LeastAllocatedOver(Action action, int steps, int rounds = 3)
    {
        long least = long.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++)
            {
                action();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
