using System;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>
/// The bitwise, parallel-step and allocation tests run every built-in of <see cref="BuiltInOptimizers"/>:
/// <see cref="KernelCases"/> has a case named after each that creates that optimizer.
/// </summary>
public class KernelCasesTests
{
    public static TheoryData<string> BuiltIns => new(BuiltInOptimizers.Names);

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void EveryBuiltInHasAKernelCaseOfItsName(string name)
    {
        Assert.True(KernelCases.Optimizers.TryGetValue(name, out Func<Optimizer>? create), $"KernelCases has no case named {name}: add one.");
        Assert.True(BuiltInOptimizers.TryCreate(name, out Optimizer? builtIn));
        Assert.IsType(builtIn.GetType(), create());
    }
}
