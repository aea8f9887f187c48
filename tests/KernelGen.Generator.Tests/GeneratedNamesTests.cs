using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The names the generated code reads by: the vector types through <c>using</c> aliases, and the
/// values the plan introduces named after what they compute. Names must never change the bits.
/// </summary>
public class GeneratedNamesTests
{
    [Fact]
    public void FlagsAndHoistedValuesAreNamedAfterWhatTheyCompute()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            float decay = 1f - learningRate;
            param -= step == 1 ? grad : (1f - learningRate * 2f) * grad * decay;
            """));

        GeneratedAssert.Clean(run);
        Assert.Contains("TStepIsOne", run.SingleSource);
        Assert.Contains("args.OneMinusLearningRateTimesTwo = 1f - learningRate * 2f;", run.SingleSource);
        Assert.DoesNotContain("TCondition", run.SingleSource);
        Assert.Contains("using V256 = global::System.Runtime.Intrinsics.Vector256<float>;", run.SingleSource);
        Assert.Empty(KernelOracle.Mismatches(run, "Rules.Sample", seed: 3));
    }

    /// <summary>A rule's own names win: the aliases step aside, and the kernels keep the rule's bits.</summary>
    [Fact]
    public void ARuleMayUseTheAliasesNames()
    {
        GeneratorRun run = GeneratorHarness.Run(DiagnosticCases.Body("""
            float V256 = grad * 2f;
            float Vector256 = V256 + param;
            float V128 = learningRate * 0.5f;
            param -= V128 * Vector256;
            """));

        GeneratedAssert.Clean(run);
        Assert.DoesNotContain("using V256 =", run.SingleSource);
        Assert.DoesNotContain("using Vector256 =", run.SingleSource);
        Assert.Empty(KernelOracle.Mismatches(run, "Rules.Sample", seed: 4));
    }
}
