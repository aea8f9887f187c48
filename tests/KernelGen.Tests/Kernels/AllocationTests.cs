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

        o.Step(); // JIT and first-use work happen here, not in the measured steps.
        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(o.Step, steps: 50));
    }
}
