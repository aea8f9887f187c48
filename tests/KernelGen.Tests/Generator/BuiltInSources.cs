using System;
using System.IO;
using System.Linq;

namespace KernelGen.Tests.Generator;

/// <summary>The sources of the built-in optimizers, embedded from runtime/Optimizers (see the csproj).</summary>
internal static class BuiltInSources
{
    /// <summary>The source of <c>runtime/Optimizers/&lt;name&gt;.cs</c>, as the runtime compiles it.</summary>
    public static string Read(string name)
    {
        using Stream stream = typeof(BuiltInSources).Assembly.GetManifestResourceStream("BuiltIn." + name + ".cs")
            ?? throw new ArgumentException($"runtime/Optimizers/{name}.cs is not embedded in the test assembly.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The built-in's source moved to the namespace <c>KernelGen.Snapshots</c>. The test
    /// compilation references KernelGen.dll, which already contains <c>KernelGen.Adam</c> and the
    /// others: compiling the unchanged source would declare each type twice (CS0436 on every use,
    /// and the generated partial would complete the source's copy only). In a child namespace the
    /// source needs no other edit (<c>[Optimizer]</c>, <c>KernelMath</c> still resolve through the
    /// parent namespace) and the output differs from the runtime's only in its namespace line,
    /// since generated code names everything else with <c>global::</c>.
    /// </summary>
    public static string ReadInSnapshotNamespace(string name)
    {
        const string Original = "namespace KernelGen;";
        string source = Read(name);
        int at = source.IndexOf(Original, StringComparison.Ordinal);
        if (at < 0 || source.IndexOf(Original, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"{name}.cs no longer declares '{Original}' exactly once; update this helper.");
        }

        return source.Substring(0, at) + "namespace KernelGen.Snapshots;" + source.Substring(at + Original.Length);
    }

    /// <summary>The helper methods the built-in rules share (inlined by the generator, so compiled with them).</summary>
    public static readonly string[] SharedHelpers = { "StepCorrections" };

    /// <summary>
    /// Runs the generator on the built-in <paramref name="name"/> as the runtime compiles it: its
    /// source and the shared helpers' sources, all in the snapshot namespace.
    /// </summary>
    public static GeneratorRun Generate(string name) =>
        GeneratorHarness.Run(GeneratorHarness.Compile(
            new[] { name }.Concat(SharedHelpers).Select(file => (file + ".cs", ReadInSnapshotNamespace(file))).ToArray()));
}
