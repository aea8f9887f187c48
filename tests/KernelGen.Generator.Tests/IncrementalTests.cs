using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The generator is incremental in fact, not only in name: in an IDE it runs on every keystroke,
/// so work on a rule that did not change must be cached. The parse step's models are records of
/// equatable arrays with no Roslyn symbols and no locations, so a re-parse of an unchanged rule
/// (or of one that only moved) compares equal and nothing downstream runs again.
/// </summary>
public class IncrementalTests
{
    private const string RulesStep = global::KernelGen.Generator.KernelGenerator.RulesStep;
    private const string ModelsStep = global::KernelGen.Generator.KernelGenerator.ModelsStep;
    private const string TargetedModelsStep = global::KernelGen.Generator.KernelGenerator.TargetedModelsStep;

    /// <summary>A rule with a diagnostic: its result (diagnostics, no model) must cache too.</summary>
    private const string RejectedRule = """
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class Looping
        {
            [UpdateRule]
            private static void Update(ref float param, float grad)
            {
                for (int i = 0; i < 2; i++) { param -= grad; }
            }
        }
        """;

    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static CSharpCompilation TwoRules() => GeneratorHarness.Compile(
        ("Hoisting.cs", RuleSnapshotTests.Hoisting),
        ("Looping.cs", RejectedRule));

    [Fact]
    public void RunningAgainOnTheSameCompilationReusesEverything()
    {
        CSharpCompilation compilation = TwoRules();
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(compilation, first.Driver);

        AssertReused(second, RulesStep);
        AssertOutputsReused(second);
        Assert.Equal(Models(first), Models(second));
        Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
    }

    [Fact]
    public void AddingAnUnrelatedFileReusesEverything()
    {
        CSharpCompilation compilation = TwoRules();
        GeneratorRun first = GeneratorHarness.Run(compilation);
        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Elsewhere; internal static class Unrelated { internal static int Answer => 42; }",
            GeneratorHarness.ParseOptions, "Unrelated.cs"));
        GeneratorRun second = GeneratorHarness.Run(edited, first.Driver);

        AssertReused(second, RulesStep);
        AssertOutputsReused(second);
        Assert.Equal(Models(first), Models(second));
    }

    /// <summary>
    /// An edit to the rule's own file that leaves the rule as it was (a comment after it) makes
    /// the generator parse the rule again: the new model must equal the old one by value, so the
    /// step reports Unchanged and no source is regenerated.
    /// </summary>
    [Fact]
    public void ReparsingAnUnchangedRuleGivesAnEqualModel()
    {
        CSharpCompilation compilation = TwoRules();
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(AppendToEveryFile(compilation, "\n// an edit after the rule\n"), first.Driver);

        IncrementalGeneratorRunStep[] steps = StepsOf(second, RulesStep);
        Assert.All(steps.SelectMany(step => step.Outputs), output => Assert.Equal(IncrementalStepRunReason.Unchanged, output.Reason));
        AssertOutputsReused(second);
        object[] before = Models(first), after = Models(second);
        // Unchanged (not Cached) means the parse ran again and its new result compared equal to
        // the old one; Roslyn then keeps the old object, so the values are also the same references.
        Assert.Equal(before, after);
    }

    /// <summary>
    /// Lines added above a rule move every statement of it: the parse step runs again and its
    /// diagnostics follow the code to the new lines, but the model the sources are emitted from
    /// keeps no locations, so it compares equal and the kernel is not generated again.
    /// </summary>
    [Fact]
    public void ALineShiftAboveARuleDoesNotRegenerateIt()
    {
        const string shift = "// a comment and a blank line above the rule\n\n";
        CSharpCompilation compilation = TwoRules();
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(PrependToEveryFile(compilation, shift), first.Driver);

        AssertNotRegenerated(first, second);

        // The rejected rule's diagnostic moved with its code: the locations did reach the diagnostics.
        int LoopLine(GeneratorRun run) => run.KernelGenDiagnostics.Single().Location.GetLineSpan().StartLinePosition.Line;
        Assert.Equal(LoopLine(first) + 2, LoopLine(second));
    }

    /// <summary>The same for a rule that inlines helpers: their arguments are in the model, where they were written is not.</summary>
    [Fact]
    public void ALineShiftAboveARuleWithHelpersDoesNotRegenerateIt()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(("Rule.cs", HelperInliningTests.Rule), ("Schedules.cs", HelperInliningTests.Shared));
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(PrependToEveryFile(compilation, "// a comment and a blank line above the rule\n\n"), first.Driver);

        GeneratedAssert.Clean(second);
        AssertNotRegenerated(first, second);
    }

    /// <summary>The second run's one model compared equal to the first's, so its source was not emitted again.</summary>
    private static void AssertNotRegenerated(GeneratorRun first, GeneratorRun second)
    {
        IncrementalGeneratorRunStep[] models = StepsOf(second, ModelsStep);
        Assert.Single(models.SelectMany(step => step.Outputs));
        Assert.All(models.SelectMany(step => step.Outputs), output => Assert.Contains(output.Reason, Reused));
        IncrementalGeneratorRunStep[] emitted = second.Driver.GetRunResult().Results.Single().TrackedOutputSteps.Values
            .SelectMany(steps => steps)
            .Where(step => step.Inputs.Any(input => input.Source.Name == TargetedModelsStep))
            .ToArray();
        Assert.NotEmpty(emitted);
        Assert.All(emitted.SelectMany(step => step.Outputs), output => Assert.Contains(output.Reason, Reused));
        Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
    }

    /// <summary>The control: a real change to a rule is seen, so the tests above can fail.</summary>
    [Fact]
    public void ChangingTheRuleIsNotCached()
    {
        CSharpCompilation compilation = TwoRules();
        GeneratorRun first = GeneratorHarness.Run(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Hoisting.cs");
        SyntaxTree changed = tree.WithChangedText(tree.GetText().Replace(
            tree.GetText().ToString().IndexOf("+ grad;", StringComparison.Ordinal), "+ grad;".Length, "- grad;"));
        GeneratorRun second = GeneratorHarness.Run(compilation.ReplaceSyntaxTree(tree, changed), first.Driver);

        Assert.Contains(StepsOf(second, RulesStep).SelectMany(step => step.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.NotEqual(first.Sources.Single().Text, second.Sources.Single().Text);
    }

    private static CSharpCompilation AppendToEveryFile(CSharpCompilation compilation, string text) =>
        InsertInEveryFile(compilation, text, atStart: false);

    private static CSharpCompilation PrependToEveryFile(CSharpCompilation compilation, string text) =>
        InsertInEveryFile(compilation, text, atStart: true);

    private static CSharpCompilation InsertInEveryFile(CSharpCompilation compilation, string text, bool atStart)
    {
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            var sourceText = tree.GetText();
            compilation = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(sourceText.Replace(atStart ? 0 : sourceText.Length, 0, text)));
        }

        return compilation;
    }

    private static IncrementalGeneratorRunStep[] StepsOf(GeneratorRun run, string name)
    {
        GeneratorRunResult result = run.Driver.GetRunResult().Results.Single();
        Assert.True(result.TrackedSteps.ContainsKey(name), $"No tracked step '{name}': {string.Join(", ", result.TrackedSteps.Keys)}");
        return result.TrackedSteps[name].ToArray();
    }

    private static void AssertReused(GeneratorRun run, string name)
    {
        (object Value, IncrementalStepRunReason Reason)[] outputs = StepsOf(run, name).SelectMany(step => step.Outputs).ToArray();
        Assert.Equal(2, outputs.Length);
        Assert.All(outputs, output => Assert.Contains(output.Reason, Reused));
    }

    /// <summary>The outputs (sources and diagnostics) were not produced again.</summary>
    private static void AssertOutputsReused(GeneratorRun run)
    {
        ImmutableDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> outputs = run.Driver.GetRunResult().Results.Single().TrackedOutputSteps;
        Assert.NotEmpty(outputs);
        Assert.All(outputs.Values.SelectMany(steps => steps).SelectMany(step => step.Outputs), output => Assert.Contains(output.Reason, Reused));
    }

    /// <summary>The parse step's results (RuleParseResult, internal to the generator), in a stable order.</summary>
    private static object[] Models(GeneratorRun run) =>
        StepsOf(run, RulesStep).SelectMany(step => step.Outputs).Select(output => output.Value)
            .OrderBy(value => value.ToString(), StringComparer.Ordinal).ToArray();
}
