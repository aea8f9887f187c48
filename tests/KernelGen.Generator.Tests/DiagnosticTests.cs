using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using KernelGen.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Every KernelGen diagnostic, triggered by a minimal rule: the right id at the exact span, no
/// generated source for a rejected rule, and never a crash of the generator.
/// </summary>
public class DiagnosticTests
{
    /// <summary>
    /// Ids with no case. KG9999 is the generator's catch-all for its own exceptions: no valid or
    /// invalid rule should reach it, so it has no case of its own. Today a generator bug does reach
    /// it (an int local that varies per element, see
    /// <see cref="GeneratorBugTests.AVaryingIntIsReportedWhereItIsDeclared"/>), without a location.
    /// </summary>
    private static readonly string[] Untriggerable = { "KG9999" };

    /// <summary>Ids whose case cannot be valid C# (the runtime is missing): tested below, not among the cases.</summary>
    private static readonly string[] WithoutTheRuntime = { "KG0030" };

    public static IEnumerable<object[]> Cases => DiagnosticCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsTheIdAtTheMarkedSpan(string id, string name)
    {
        (string source, ImmutableArray<TextSpan> expected) = Markup.Parse(DiagnosticCases.MarkupOf(id, name));
        Assert.NotEmpty(expected);

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.False(run.Crashed, run.Describe());
        // The rule is otherwise valid C#: the KG diagnostic is all its author has to fix.
        Assert.True(!run.InputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), run.Describe());
        Assert.Empty(run.Sources);

        Diagnostic[] reported = run.KernelGenDiagnostics.ToArray();
        Assert.True(reported.All(d => d.Id == id), $"Expected only {id}:\n{run.Describe()}");
        Assert.True(reported.All(d => d.Severity == DiagnosticSeverity.Error), run.Describe());
        Assert.Equal(expected.Select(span => Describe(source, span)).OrderBy(text => text, StringComparer.Ordinal), reported.Select(d => Describe(source, d)).OrderBy(text => text, StringComparer.Ordinal));
    }

    /// <summary>Every id the generator declares has a case above (or is knowingly left out).</summary>
    [Fact]
    public void EveryDescriptorHasACase()
    {
        IEnumerable<string> covered = DiagnosticCases.All.Select(c => c.Id).Concat(Untriggerable).Concat(WithoutTheRuntime).Distinct().OrderBy(id => id, StringComparer.Ordinal);

        Assert.Equal(DeclaredIds(), covered);
    }

    /// <summary>
    /// KG0030: the generator without KernelGen.dll (an analyzer copied alone). Each KernelGen
    /// attribute, however it is written, gets the KG diagnostic beside the compiler's CS0246, and
    /// nothing is generated.
    /// </summary>
    [Fact]
    public void WithoutTheRuntimeEachKernelGenAttributeIsReported()
    {
        (string source, ImmutableArray<TextSpan> expected) = Markup.Parse("""
            using KernelGen;

            [[|Optimizer|]]
            public sealed partial class Momentum
            {
                [[|UpdateRuleAttribute|]]
                private static void Update(ref float param, float grad) { param -= grad; }
            }

            internal static class Kernels
            {
                [[|KernelGen.Kernel|]]
                internal static void Scale(ref float x) { x *= 2f; }
            }
            """);

        GeneratorRun run = GeneratorHarness.Run(CompileWithoutTheRuntime(source));

        Assert.False(run.Crashed, run.Describe());
        Assert.Empty(run.Sources);
        Assert.Contains(run.InputDiagnostics, d => d.Id == "CS0246");
        Diagnostic[] reported = run.KernelGenDiagnostics.ToArray();
        Assert.True(reported.All(d => d.Id == "KG0030" && d.Severity == DiagnosticSeverity.Error), run.Describe());
        Assert.Equal(expected.Select(span => Describe(source, span)).OrderBy(text => text, StringComparer.Ordinal), reported.Select(d => Describe(source, d)).OrderBy(text => text, StringComparer.Ordinal));
    }

    /// <summary>Without the runtime, an attribute of the same name that resolves is the user's own: no KG0030.</summary>
    [Fact]
    public void WithoutTheRuntimeAnotherLibrarysKernelAttributeIsLeftAlone()
    {
        GeneratorRun run = GeneratorHarness.Run(CompileWithoutTheRuntime("""
            using System;

            [AttributeUsage(AttributeTargets.Method)]
            internal sealed class KernelAttribute : Attribute { }

            internal static class Shaders
            {
                [Kernel]
                internal static void Blur() { }
            }
            """));

        Assert.False(run.Crashed, run.Describe());
        Assert.Empty(run.InputProblems);
        Assert.Empty(run.KernelGenDiagnostics);
    }

    private static CSharpCompilation CompileWithoutTheRuntime(string source) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            new[] { CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, "Rule.cs") },
            GeneratorHarness.References.Where(reference => !string.Equals(Path.GetFileName(reference.Display), "KernelGen.dll", StringComparison.Ordinal)),
            GeneratorHarness.CompilationOptions);

    /// <summary>docs/diagnostics.md has one section per declared id, titled as the descriptor, and no other.</summary>
    [Fact]
    public void EveryDescriptorIsDocumented()
    {
        using Stream stream = typeof(DiagnosticTests).Assembly.GetManifestResourceStream("Docs.diagnostics.md")!;
        using var reader = new StreamReader(stream);
        string[] headings = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Where(line => line.StartsWith("## KG", StringComparison.Ordinal))
            .ToArray();

        // "## KG0003: <the descriptor's title>", in id order.
        Assert.Equal(DeclaredDescriptors().Select(d => $"## {d.Id}: {d.Title}"), headings);
    }

    /// <summary>The messages, as a user reads them in a build log, for review.</summary>
    [Fact]
    public void DiagnosticsMatchTheSnapshot()
    {
        var text = new StringBuilder();
        foreach ((string id, string name, string markup) in DiagnosticCases.All)
        {
            GeneratorRun run = GeneratorHarness.Run(Markup.Parse(markup).Source);
            text.Append("# ").Append(id).Append(' ').Append(name).Append('\n');
            foreach (Diagnostic diagnostic in run.KernelGenDiagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                text.Append(diagnostic.ToString()).Append('\n');
            }

            text.Append('\n');
        }

        Snapshot.Verify(text.ToString(), "Diagnostics");
    }

    /// <summary>The descriptors of the generator's DiagnosticDescriptors (an internal class: read by reflection), by id.</summary>
    public static DiagnosticDescriptor[] DeclaredDescriptors()
    {
        Type descriptors = typeof(global::KernelGen.Generator.KernelGenerator).Assembly
            .GetType("KernelGen.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        return descriptors.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
            .OrderBy(descriptor => descriptor.Id, StringComparer.Ordinal)
            .ToArray();
    }

    public static IEnumerable<string> DeclaredIds() => DeclaredDescriptors().Select(d => d.Id);

    /// <summary>"Rule.cs(line,col)-(line,col) 'text'", 1-based, for readable assertion failures.</summary>
    private static string Describe(string source, TextSpan span)
    {
        LinePositionSpan lines = SourceText.From(source).Lines.GetLinePositionSpan(span);
        return Format("Rule.cs", lines, source.Substring(span.Start, span.Length));
    }

    /// <summary>
    /// The same for a reported diagnostic: its stored line span (the generator keeps no syntax
    /// tree, so its locations are file locations) and the text under its character span.
    /// </summary>
    private static string Describe(string source, Diagnostic diagnostic)
    {
        if (diagnostic.Location == Location.None)
        {
            return "(no location)";
        }

        FileLinePositionSpan lines = diagnostic.Location.GetLineSpan();
        TextSpan span = diagnostic.Location.SourceSpan;
        string text = span.End <= source.Length ? source.Substring(span.Start, span.Length) : "(span " + span + " is outside the file)";
        return Format(lines.Path, lines.Span, text);
    }

    private static string Format(string path, LinePositionSpan span, string text) => string.Format(
        CultureInfo.InvariantCulture, "{0}({1},{2})-({3},{4}) '{5}'",
        path, span.Start.Line + 1, span.Start.Character + 1, span.End.Line + 1, span.End.Character + 1, text);
}
