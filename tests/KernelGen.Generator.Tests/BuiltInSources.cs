using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace KernelGen.Generator.Tests;

/// <summary>The sources of the built-in optimizers, embedded from runtime/Optimizers (see the csproj).</summary>
internal static class BuiltInSources
{
    private const string Prefix = "BuiltIn.";

    /// <summary>
    /// The names of <see cref="BuiltInOptimizers"/> with per-tensor reductions, or without: every
    /// test over the built-ins takes them from there, so a built-in cannot be left out.
    /// </summary>
    public static IEnumerable<string> Names(bool reductions) =>
        BuiltInOptimizers.Names.Where(name => (Create(name).Rule.ReductionCount > 0) == reductions);

    /// <summary>The class of the built-in optimizer <paramref name="name"/>.</summary>
    public static Type TypeOf(string name) => Create(name).GetType();

    /// <summary>
    /// The file of runtime/Optimizers (without <c>.cs</c>) that declares the built-in's class: most
    /// are named after it, some hold a family (ScheduleFreeAdamW and ScheduleFreeSGD are in ScheduleFree.cs).
    /// </summary>
    public static string FileOf(string name)
    {
        var declaration = new Regex($@"\bpartial class {TypeOf(name).Name}\b");
        string[] files = typeof(BuiltInSources).Assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith(Prefix, StringComparison.Ordinal) && resource.EndsWith(".cs", StringComparison.Ordinal))
            .Select(resource => resource.Substring(Prefix.Length, resource.Length - Prefix.Length - ".cs".Length))
            .Where(file => declaration.IsMatch(Read(file)))
            .ToArray();
        return files.Length == 1
            ? files[0]
            : throw new InvalidOperationException($"Expected one file of runtime/Optimizers to declare {TypeOf(name).Name}, found {files.Length}.");
    }

    /// <summary>The helper methods the built-in rules share (inlined by the generator, so compiled with them).</summary>
    public static readonly string[] SharedHelpers = { "StepCorrections" };

    /// <summary>
    /// The generator's run on <paramref name="file"/> as the runtime compiles it: with the shared
    /// helpers' sources, all in the snapshot namespace, as an assembly the runtime shows its
    /// internals to (a file may use them beside its rules, as ScheduleFree.cs uses the internal
    /// interpolation kernel).
    /// </summary>
    /// <param name="file">The file, without .cs.</param>
    /// <param name="netStandard">Whether to compile as the runtime's netstandard2.1 build does (the portable form).</param>
    public static GeneratorRun Generate(string file, bool netStandard = false)
    {
        (string, string)[] files = new[] { file }.Concat(SharedHelpers).Select(name => (name + ".cs", ReadInSnapshotNamespace(name))).ToArray();
        return GeneratorHarness.Run((netStandard ? GeneratorHarness.CompileNetStandard(files) : GeneratorHarness.Compile(files))
            .WithAssemblyName("KernelGen.Tests"));
    }

    /// <summary>The built-ins declared in <paramref name="file"/>: the generator makes one source for each.</summary>
    public static int CountIn(string file) => BuiltInOptimizers.Names.Count(name => FileOf(name) == file);

    /// <summary>The source of <c>runtime/Optimizers/&lt;name&gt;.cs</c>, as the runtime compiles it.</summary>
    public static string Read(string name)
    {
        using Stream stream = typeof(BuiltInSources).Assembly.GetManifestResourceStream(Prefix + name + ".cs")
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

    private static Optimizer Create(string name) =>
        BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : throw new ArgumentException($"'{name}' is not a built-in optimizer.", nameof(name));
}
