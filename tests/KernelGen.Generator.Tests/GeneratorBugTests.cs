using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Generator bugs found by these tests, each pinned by the behaviour the generator should have.
/// Open ones are skipped until the generator is fixed (generator/ is not this suite's to edit):
/// remove the Skip with the fix, and drop the matching entry of <see cref="RobustnessTests"/>'
/// known bugs. Fixed ones stay as regression tests.
/// </summary>
public class GeneratorBugTests
{
    private const string Reported = "Generator bug, reported: ";

    /// <summary>
    /// <c>==</c> on varying values is written <c>VectorN.Equal(...)</c>, a method that does not
    /// exist (it is <c>Equals</c>): any rule comparing two varying floats for equality does not
    /// compile (CS0117). For bools, <c>Equals</c> alone would still be wrong, see the next test.
    /// </summary>
    [Fact]
    public void EqualityOnVaryingValuesCompilesAndKeepsTheRulesBits()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            param -= grad == param ? grad : 0f;
            bool up = grad > 0f;
            bool down = param > 0f;
            param -= up == down ? learningRate : 0f;
            """));

        GeneratedAssert.Clean(run);
        Assert.Empty(KernelOracle.Mismatches(run, "Rules.Sample", seed: 1));
    }

    /// <summary>
    /// A varying bool is a lane mask: all bits set (a NaN as a float) or zero. <c>a != b</c> on
    /// masks is written <c>~VectorN.Equals(a, b)</c>, a float comparison, and NaN never equals NaN:
    /// two true lanes compare "different". The code compiles and silently disagrees with the rule
    /// on every vector path (a bitwise <c>a ^ b</c> is the mask comparison).
    /// </summary>
    [Fact]
    public void InequalityOnVaryingBoolsKeepsTheRulesBits()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            bool up = grad > 0f;
            bool down = param > 0f;
            param -= up != down ? grad : 0f;
            """));

        GeneratedAssert.Clean(run);
        Assert.Empty(KernelOracle.Mismatches(run, "Rules.Sample", seed: 1));
    }

    /// <summary>
    /// <c>grad / (step + 1)</c> was converted to float twice (the parenthesized int, then the int
    /// inside the parentheses): the IR read <c>(tofloat (tofloat ...))</c>, which
    /// <c>UpdateRule.Parse</c> rejects, so <c>Optimizer.Add</c> threw. Fixed in the generator; kept
    /// as a regression test.
    /// </summary>
    [Fact]
    public void AParenthesizedIntIsConvertedOnce()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            param -= learningRate * grad / (step + 1);
            """));

        GeneratedAssert.Clean(run);
        string ir = RuleSnapshotTests.RuleIrOf(run, "Rules.Sample");
        Assert.DoesNotContain("(tofloat (tofloat", ir);
        Assert.DoesNotContain("(float)(float)", run.SingleSource);
        UpdateRule.Parse(ir);
    }

    /// <summary>
    /// An int local that varies per element (<c>int s = grad &gt; 0f ? 1 : -1;</c>, or an int
    /// assigned under a varying <c>if</c>) has no vector form: the emitter throws, which surfaces
    /// as KG9999 with no location and the message "An int has no vector form.. Please report
    /// this", or, when the int is an exported value, as generated code assigning a Vector&lt;int&gt;
    /// to a Vector&lt;float&gt; (CS0029). It should be a diagnostic at the local (or be supported).
    /// </summary>
    [Fact]
    public void AVaryingIntIsReportedWhereItIsDeclared()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            int sign = grad > 0f ? 1 : -1;
            param -= sign * learningRate;
            """));

        Assert.False(run.Crashed, run.Describe());
        Assert.DoesNotContain(run.KernelGenDiagnostics, d => d.Id == "KG9999");
        Assert.All(run.KernelGenDiagnostics, d => Assert.NotEqual(Location.None, d.Location));
        if (!run.KernelGenDiagnostics.Any())
        {
            GeneratedAssert.Clean(run);
        }
    }

    /// <summary>
    /// <c>const float half = 0.5f;</c> is folded into the expressions that use it (as C# does),
    /// yet its declaration is copied into Apply as <c>float half = 0.5f;</c>, which nothing reads:
    /// warning CS0219 in generated code, an error in projects that treat warnings as errors.
    /// </summary>
    [Fact]
    public void AConstLocalLeavesNoUnusedVariable()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            const float half = 0.5f;
            param -= half * learningRate * grad;
            """));

        GeneratedAssert.Clean(run);
    }

    /// <summary>
    /// <c>ref float r = ref param;</c> is valid C#; the parser finds no type for <c>ref param</c>,
    /// takes it for a C# error that the compiler will report, and stops: no code and no
    /// diagnostic at all. It should be reported (KG0011) at the declaration.
    /// </summary>
    [Fact]
    public void ARefLocalIsReported()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            ref float alias = ref param;
            alias = param - grad;
            """));

        Assert.False(run.Crashed, run.Describe());
        Assert.Empty(run.Sources);
        Assert.Contains(run.KernelGenDiagnostics, d => d.Id == "KG0011" && d.Location != Location.None);
    }

    /// <summary>
    /// The generated members take names a user's class may have: an optimizer named <c>Apply</c>,
    /// <c>Run</c>, <c>Rule</c> or <c>KernelArguments</c> gets a member named like its type
    /// (CS0542 in generated code). Private helpers can pick free names (<c>NameScope</c> does
    /// not reserve the class name); the public ones (Apply, ApplyWithRule, Rule, RuleIr) need a
    /// KG diagnostic at the class name.
    /// </summary>
    [Theory]
    [InlineData("Apply")]
    [InlineData("Run")]
    [InlineData("Rule")]
    [InlineData("KernelArguments")]
    [InlineData("LoopScalar")]
    public void AClassNamedLikeAGeneratedMemberIsHandled(string className)
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            param -= learningRate * grad;
            """).Replace("class Sample", "class " + className, System.StringComparison.Ordinal));

        Assert.False(run.Crashed, run.Describe());
        if (run.KernelGenDiagnostics.Any())
        {
            Assert.Empty(run.Sources);
            Assert.All(run.KernelGenDiagnostics, d => Assert.NotEqual(Location.None, d.Location));
        }
        else
        {
            GeneratedAssert.Clean(run);
        }
    }
}
