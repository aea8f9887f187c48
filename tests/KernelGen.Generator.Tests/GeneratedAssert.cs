using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>Assertions shared by the generator tests.</summary>
internal static class GeneratedAssert
{
    /// <summary>
    /// The generator accepted the rule without a word and produced one file, and the rule with
    /// that file compiles with no warning and no error, doc comments included. (The rule is
    /// checked together with the generated half, not alone: a rule class may override members
    /// of the base class that only the generated half gives it.)
    /// </summary>
    public static void Clean(GeneratorRun run) => Clean(run, files: 1);

    /// <summary>As <see cref="Clean(GeneratorRun)"/>, for a source that declares <paramref name="files"/> rules (one generated file each).</summary>
    public static void Clean(GeneratorRun run, int files)
    {
        Assert.False(run.Crashed, run.Describe());
        Assert.True(!run.KernelGenDiagnostics.Any(), "The generator reported:\n" + run.Describe());
        Assert.True(run.Sources.Length == files, $"Expected {files} generated file(s):\n" + run.Describe());
        Assert.True(!run.OutputDiagnostics.Any(d => d.Severity >= DiagnosticSeverity.Warning),
            "The rule and its generated code have warnings or errors:\n" + run.Describe());
    }
}
