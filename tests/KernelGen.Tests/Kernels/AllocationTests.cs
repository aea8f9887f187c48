using System;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>A step allocates nothing: state is allocated at registration, kernels use spans.</summary>
public class AllocationTests
{
    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void StepAllocatesZeroBytes(string optimizer, KernelPath path)
    {
        Optimizer o = KernelCases.Optimizers[optimizer]();
        o.Path = path;
        for (int i = 0; i < 4; i++)
        {
            o.Add(KernelCases.Values(1000 + i, seed: i, scale: 1f), KernelCases.Values(1000 + i, seed: 100 + i, scale: 1f));
        }

        Assert.Equal(0, SteadyStateAllocation(o.Step));
    }

    /// <summary>
    /// Bytes allocated by 50 calls once warm. The JIT may allocate on this thread while it
    /// compiles (tier-up, on-stack replacement of a long loop), so rounds are repeated until one
    /// is clean; a real allocation per step shows in every round.
    /// </summary>
    internal static long SteadyStateAllocation(Action step)
    {
        long allocated = 0;
        for (int round = 0; round < 10; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                step();
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                break;
            }
        }

        return allocated;
    }
}
