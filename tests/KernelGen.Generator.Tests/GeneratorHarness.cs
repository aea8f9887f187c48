using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Tests;

/// <summary>What one in-memory run of the generator produced.</summary>
/// <param name="Input">The compilation the generator saw (the test's sources only).</param>
/// <param name="Output">The input plus the generated sources.</param>
/// <param name="Driver">The driver after the run: run it again to test caching.</param>
/// <param name="Sources">The generated files, by hint name, in the order the generator added them.</param>
/// <param name="GeneratorDiagnostics">What the generator reported (KG ids), plus the host's CS8784/CS8785 if it threw.</param>
/// <param name="InputDiagnostics">Every diagnostic of <paramref name="Input"/>: what the user's own C# has wrong.</param>
/// <param name="OutputDiagnostics">Every diagnostic of <paramref name="Output"/>, the test's sources included.</param>
/// <param name="Exception">The exception the generator threw, if any (it never should).</param>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableArray<(string HintName, string Text)> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> InputDiagnostics,
    ImmutableArray<Diagnostic> OutputDiagnostics,
    Exception? Exception)
{
    /// <summary>The ids a host reports when a generator or analyzer throws.</summary>
    public static readonly ImmutableArray<string> CrashIds = ImmutableArray.Create("AD0001", "CS8784", "CS8785");

    /// <summary>The diagnostics of the KernelGen generator itself.</summary>
    public IEnumerable<Diagnostic> KernelGenDiagnostics => GeneratorDiagnostics.Where(d => d.Id.StartsWith("KG", StringComparison.Ordinal));

    /// <summary>The errors and warnings of the input: what the user's own C# has wrong.</summary>
    public IEnumerable<Diagnostic> InputProblems => InputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning);

    /// <summary>
    /// Errors and warnings the generated files brought: those of the output that the input did
    /// not have, wherever they are reported (a missing override shows on the user's class).
    /// </summary>
    public IEnumerable<Diagnostic> GeneratedProblems
    {
        get
        {
            var before = new HashSet<string>(InputProblems.Select(d => d.ToString()));
            return OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && !before.Contains(d.ToString()));
        }
    }

    /// <summary>Whether the host saw the generator throw.</summary>
    public bool Crashed => Exception is not null || GeneratorDiagnostics.Concat(OutputDiagnostics).Any(d => CrashIds.Contains(d.Id));

    /// <summary>The only generated file (the tests run one rule at a time).</summary>
    public string SingleSource => Sources.Length == 1
        ? Sources[0].Text
        : throw new InvalidOperationException($"Expected one generated file, got {Sources.Length}: {Describe()}");

    /// <summary>Everything reported, one per line, for assertion messages.</summary>
    public string Describe() => string.Join(Environment.NewLine,
        GeneratorDiagnostics.Select(d => d.ToString())
            .Concat(InputDiagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden).Select(d => "before generation: " + d))
            .Concat(OutputDiagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden).Select(d => "after generation: " + d))
            .Concat(Sources.Select(s => "generated " + s.HintName))
            .Concat(Exception is null ? Array.Empty<string>() : new[] { "threw " + Exception }));
}

/// <summary>
/// Runs <see cref="global::KernelGen.Generator.KernelGenerator"/> in memory on a compilation that
/// is shaped like a user's project: C# latest, nullable on, unsafe allowed, a library, the .NET
/// framework and KernelGen.dll referenced.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Doc comments are parsed and checked, so a malformed generated one is a warning here.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        allowUnsafe: true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>A compilation of the given files; each is (path, text), the path as diagnostics show it.</summary>
    public static CSharpCompilation Compile(params (string Path, string Text)[] files) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            files.Select(file => CSharpSyntaxTree.ParseText(file.Text, ParseOptions, file.Path)),
            References,
            CompilationOptions);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyNetStandardReferences = new(LoadNetStandardReferences);

    /// <summary>
    /// A compilation of the given files as a netstandard2.1 project (Unity, Mono) has it: .NET
    /// Standard 2.1's reference assembly, the runtime's netstandard2.1 build and the Unsafe package it
    /// depends on, no System.Runtime.Intrinsics. The build copies them to netstandard2.1/ beside the tests.
    /// </summary>
    public static CSharpCompilation CompileNetStandard(params (string Path, string Text)[] files) =>
        Compile(files)
            .WithReferences(LazyNetStandardReferences.Value)
            // Unsafe is built against netstandard 2.0: the SDK's default NoWarn (1701, 1702) silences the unification.
            .WithOptions(CompilationOptions.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            }));

    private static ImmutableArray<MetadataReference> LoadNetStandardReferences()
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "netstandard2.1");
        return new[] { "netstandard.dll", "KernelGen.dll", "System.Runtime.CompilerServices.Unsafe.dll" }
            .Select(file => Path.Combine(directory, file))
            .Select(path => File.Exists(path) ? path : throw new FileNotFoundException("The test build copies the netstandard2.1 references here.", path))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    /// <summary>A fresh driver that records each step, so tests can look at what was cached.</summary>
    /// <param name="parseOptions">How the generated files are parsed: C# latest by default.</param>
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new global::KernelGen.Generator.KernelGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on one file named <c>Rule.cs</c>.</summary>
    public static GeneratorRun Run(string source) => Run(Compile(("Rule.cs", source)));

    /// <summary>Runs <paramref name="driver"/> (a fresh one by default) on <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(CSharpCompilation compilation, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(
            compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return new GeneratorRun(
            compilation,
            output,
            driver,
            result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).ToImmutableArray(),
            diagnostics,
            compilation.GetDiagnostics(),
            output.GetDiagnostics(),
            result.Exception);
    }

    /// <summary>
    /// The framework's trusted platform assemblies and KernelGen.dll. The test host's list also
    /// holds this test project's own dependencies (xunit, Roslyn, the bench, this assembly): a user's
    /// project does not see those, and a rule must not resolve against them, so only the
    /// assemblies of the shared framework (the directory of System.Private.CoreLib) are kept.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")
            ?? throw new InvalidOperationException("The host gives no TRUSTED_PLATFORM_ASSEMBLIES.");
        return trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            .Append(typeof(global::KernelGen.Optimizer).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
