using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The built-ins with per-tensor reductions under the checks of <see cref="BuiltInSnapshotTests"/>:
/// a reviewed snapshot of the generated code (reducing pass and update) and the IR the runtime
/// carries, for every built-in of <see cref="BuiltInOptimizers"/> that has reductions.
/// </summary>
public class ReductionBuiltInSnapshotTests
{
    public static TheoryData<string> WithReductions => new(BuiltInSources.Names(reductions: true));

    [Theory]
    [MemberData(nameof(WithReductions))]
    public void GeneratedSourceMatchesTheSnapshot(string name) => new BuiltInSnapshotTests().GeneratedSourceMatchesTheSnapshot(name);

    [Theory]
    [MemberData(nameof(WithReductions))]
    public void TheRuleIrParsesInTheRuntime(string name) => new BuiltInSnapshotTests().TheRuleIrParsesInTheRuntime(name);
}
