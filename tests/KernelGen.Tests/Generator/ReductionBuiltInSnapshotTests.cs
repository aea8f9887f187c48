using Xunit;

namespace KernelGen.Tests.Generator;

/// <summary>
/// The built-ins with per-tensor reductions under the checks of <see cref="BuiltInSnapshotTests"/>:
/// a reviewed snapshot of the generated code (reducing pass and update) and the IR the runtime
/// carries. A class of their own so that the built-ins added alongside them do not touch one list.
/// </summary>
public class ReductionBuiltInSnapshotTests
{
    [Theory]
    [InlineData("Lamb")]
    [InlineData("LARS")]
    [InlineData("NovoGrad")]
    public void GeneratedSourceMatchesTheSnapshot(string name) => new BuiltInSnapshotTests().GeneratedSourceMatchesTheSnapshot(name);

    [Theory]
    [InlineData("Lamb")]
    [InlineData("LARS")]
    [InlineData("NovoGrad")]
    public void TheRuleIrParsesInTheRuntime(string name) => new BuiltInSnapshotTests().TheRuleIrParsesInTheRuntime(name);
}
