using System;
using System.Linq;
using System.Text.RegularExpressions;
using KernelGen.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Helper methods in rules: a static method of the rule's class or of a static class, written in
/// the rule language over uniform values, is inlined into the once-per-step part of the kernel.
/// </summary>
public class HelperInliningTests
{
    /// <summary>A rule that calls a helper of its own class, which calls one of a static class in another file.</summary>
    internal const string Rule = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class Helped
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public float Beta { get; set; } = 0.9f;

            [UpdateRule]
            private static void Update(ref float param, float grad, ref float state, float learningRate, float beta, [Step] int step)
            {
                state = state * beta + grad;
                float rate = StepSize(learningRate, beta, step);
                param -= rate * state / Schedules.Correction(beta * beta, step);
            }

            private static float StepSize(float learningRate, float beta, int step)
            {
                float warmup = step < 3 ? (float)step / 3f : 1f;
                return learningRate * warmup / Schedules.Correction(beta, step);
            }
        }
        """;

    /// <summary>The second argument is read twice, so it is held in a local; the first is read once and passed in place.</summary>
    internal const string Shared = """
        using System;

        namespace Rules;

        internal static class Schedules
        {
            internal static float Correction(float beta, int step)
            {
                float power = MathF.Pow(beta, step);
                if (power > 0.5f)
                {
                    power = power * 0.5f + beta * 0.25f;
                }

                return 1f - power;
            }
        }
        """;

    private static GeneratorRun Generate() => GeneratorHarness.Run(GeneratorHarness.Compile(("Rule.cs", Rule), ("Schedules.cs", Shared)));

    [Fact]
    public void InlinedHelpersGiveTheRulesBitsOnEveryPath()
    {
        GeneratorRun run = Generate();

        GeneratedAssert.Clean(run);
        Assert.Empty(KernelOracle.Mismatches(run, "Rules.Helped", seed: 17));
    }

    [Fact]
    public void HelperWorkRunsOncePerStepBeforeTheLoops()
    {
        string[] lines = Snapshot.Normalize(Generate().SingleSource).Split('\n');

        // Both inlined Pow calls (one per call of Correction) sit in the uniform prologue, once each.
        int[] powLines = Enumerable.Range(0, lines.Length)
            .Where(i => lines[i].Contains("MathF.Pow(", StringComparison.Ordinal) && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(2, powLines.Length);
        foreach (int line in powLines)
        {
            string member = Enumerable.Range(0, line).Reverse()
                .Select(i => Regex.Match(lines[i], @"^\s*(?:private|public|internal)\s+static\s+\w+\s+(\w+)"))
                .First(m => m.Success).Groups[1].Value;
            Assert.Equal("Prepare", member);
        }
    }

    [Fact]
    public void TheIrCarriesTheInlinedStatements()
    {
        string ir = RuleSnapshotTests.RuleIrOf(Generate(), "Rules.Helped");

        // An argument read more than once is computed once, into a local named after the parameter.
        Assert.Contains("(local beta_1 float (mul beta beta))", ir, StringComparison.Ordinal);
        Assert.Contains("(local warmup float", ir, StringComparison.Ordinal);
        Assert.DoesNotContain("StepSize", ir, StringComparison.Ordinal);
        Assert.Equal("Helped", UpdateRule.Parse(ir).Name);
    }

    /// <summary>A helper in another file is part of the rule: editing it regenerates the kernels (an IDE never keeps stale ones).</summary>
    [Fact]
    public void EditingAHelperInAnotherFileRegeneratesTheKernels()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(("Rule.cs", Rule), ("Schedules.cs", Shared));
        GeneratorRun first = GeneratorHarness.Run(compilation);
        SyntaxTree helpers = compilation.SyntaxTrees.Single(tree => tree.FilePath == "Schedules.cs");
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(helpers,
            CSharpSyntaxTree.ParseText(Shared.Replace("power * 0.5f", "power * 0.75f", StringComparison.Ordinal), GeneratorHarness.ParseOptions, "Schedules.cs"));
        GeneratorRun second = GeneratorHarness.Run(edited, first.Driver);

        GeneratedAssert.Clean(second);
        Assert.DoesNotContain("0.75", first.SingleSource, StringComparison.Ordinal);
        Assert.Contains("power * 0.75f", second.SingleSource, StringComparison.Ordinal);
    }
}
