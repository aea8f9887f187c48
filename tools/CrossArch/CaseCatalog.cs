using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Tests.Kernels;

namespace KernelGen.CrossArch;

/// <summary>
/// Every case, for every configuration of <see cref="KernelCases.Optimizers"/> (the 22 built-ins
/// with each option branch the bitwise tests reach, the test rules) and every [Kernel] entry of
/// <see cref="KernelCases.Kernels"/>, grouped by kind so the log's timings mean something.
/// </summary>
internal static class CaseCatalog
{
    /// <param name="checkpointFolder">Where another run's checkpoint files are, to add the "checkpoint loaded" cases; null for none.</param>
    public static IReadOnlyList<CrossArchCase> Build(string? checkpointFolder)
    {
        string[] optimizers = Optimizers();
        var cases = new List<CrossArchCase>();
        foreach (int length in KernelCases.Lengths)
        {
            cases.AddRange(optimizers.Select(o => TrajectoryCases.Step(o, length)));
        }

        foreach (int length in KernelCases.Lengths)
        {
            cases.AddRange(KernelEntryCases.Names.Select(k => KernelEntryCases.Run(k, length)));
        }

        foreach (int length in TrajectoryCases.NonFiniteLengths)
        {
            cases.AddRange(optimizers.Select(o => TrajectoryCases.NonFinite(o, length)));
        }

        cases.AddRange(optimizers.Select(TrajectoryCases.Scaled));
        cases.AddRange(optimizers.Select(TrajectoryCases.Tensors));
        cases.AddRange(optimizers.SelectMany(o => new[] { ParallelCases.Serial(o), ParallelCases.Parallel(o) }));
        cases.AddRange(optimizers.SelectMany(o => new[] { CheckpointCases.Uninterrupted(o), CheckpointCases.Resumed(o) }));
        if (checkpointFolder is not null)
        {
            cases.AddRange(optimizers.Select(o => CheckpointCases.Loaded(o, checkpointFolder)));
        }

        return cases;
    }

    /// <summary>
    /// The configurations, after checking that every built-in has one (a built-in added without
    /// bitwise cases would otherwise go unchecked) and that their checkpoint file names differ.
    /// </summary>
    public static string[] Optimizers()
    {
        HashSet<string> covered = KernelCases.Optimizers.Values.Select(create => create().GetType().Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string[] missing = BuiltInOptimizers.Names.Where(name => !covered.Contains(name)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"Built-in optimizers with no case in KernelCases.Optimizers: {string.Join(", ", missing)}.");
        }

        string[] names = KernelCases.Optimizers.Keys.ToArray();
        if (names.GroupBy(CheckpointCases.FileName).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new InvalidOperationException($"Configurations with the same checkpoint file name: {string.Join(", ", clash)}.");
        }

        return names;
    }
}
