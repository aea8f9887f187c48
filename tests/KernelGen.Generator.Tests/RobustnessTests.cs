using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The generator against 200 random rules (see <see cref="RandomRules"/>, fixed seed): it never
/// throws, and every rule ends one of two ways: code that compiles, or at least one error (KG or
/// CS) for its author. A rule with KG errors gets no code; generated code brings no error and no
/// warning of its own (a warning the rule itself has, such as an unused local, may repeat).
/// </summary>
public class RobustnessTests
{
    private const int Seed = 20250611;
    private const int Count = 200;

    /// <summary>
    /// Generator bugs this corpus still hits (see <see cref="GeneratorBugTests"/>, where each is
    /// pinned by a skipped test). A rule whose every problem is one of these is counted, not
    /// failed. Delete an entry when its bug is fixed: the corpus then guards the fix.
    /// </summary>
    // Generator bugs this test tolerates while they are open (each with a pinned test in
    // GeneratorBugTests); empty: every bug it found is fixed.
    private static readonly KnownBug[] KnownBugs = System.Array.Empty<KnownBug>();

    private readonly ITestOutputHelper _output;

    public RobustnessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void GeneratorNeverThrowsAndEveryRuleEndsInCodeOrAnError()
    {
        var failures = new List<string>();
        var knownBugHits = new int[KnownBugs.Length];
        var ids = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int generated = 0, rejectedByKernelGen = 0, rejectedByCSharp = 0;
        var rules = new RandomRules(Seed);
        for (int index = 0; index < Count; index++)
        {
            string source = rules.NextSource();
            GeneratorRun run = GeneratorHarness.Run(source);
            Diagnostic[] kernelGenErrors = run.KernelGenDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Diagnostic[] inputErrors = run.InputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            foreach (string id in kernelGenErrors.Select(d => d.Id).Distinct())
            {
                ids[id] = ids.TryGetValue(id, out int seen) ? seen + 1 : 1;
            }

            generated += run.Sources.Length > 0 ? 1 : 0;
            rejectedByKernelGen += kernelGenErrors.Length > 0 ? 1 : 0;
            rejectedByCSharp += run.Sources.Length == 0 && kernelGenErrors.Length == 0 && inputErrors.Length > 0 ? 1 : 0;

            if (run.Crashed)
            {
                failures.Add($"Rule {index}: the generator threw\n{run.Describe()}\n{source}");
                continue;
            }

            var problems = new List<Diagnostic>(kernelGenErrors.Where(d => d.Id == "KG9999"));
            if (run.Sources.Length > 0)
            {
                if (kernelGenErrors.Length > 0)
                {
                    failures.Add($"Rule {index}: code was generated for a rule with KG errors\n{run.Describe()}\n{source}");
                    continue;
                }

                // With C# errors in the rule, the generated code may repeat them: the author
                // already has an error to fix. Otherwise the generated code must be clean.
                if (inputErrors.Length == 0)
                {
                    var inherited = new HashSet<string>(run.InputProblems.Select(d => d.Id));
                    problems.AddRange(run.GeneratedProblems.Where(d => d.Severity == DiagnosticSeverity.Error || !inherited.Contains(d.Id)));
                }
            }
            else if (kernelGenErrors.Length == 0 && inputErrors.Length == 0)
            {
                int silent = Array.FindIndex(KnownBugs, bug => bug.Silent?.Invoke(source) == true);
                if (silent < 0)
                {
                    failures.Add($"Rule {index}: no code and no error\n{run.Describe()}\n{source}");
                }
                else
                {
                    knownBugHits[silent]++;
                }

                continue;
            }

            if (problems.Count == 0)
            {
                continue;
            }

            int[] bugs = problems.Select(d => Array.FindIndex(KnownBugs, bug => bug.Problem?.Invoke(d) == true)).Distinct().ToArray();
            if (bugs.Contains(-1))
            {
                failures.Add($"Rule {index}: the generated code has warnings or errors (or KG9999)\n{run.Describe()}\n{source}");
                continue;
            }

            foreach (int bug in bugs)
            {
                knownBugHits[bug]++;
            }
        }

        _output.WriteLine($"{Count} rules: {generated} generated, {rejectedByKernelGen} with KG errors, {rejectedByCSharp} with C# errors only.");
        _output.WriteLine("Rules per KG id: " + string.Join(", ", ids.Select(pair => $"{pair.Key} {pair.Value}")));
        for (int bug = 0; bug < KnownBugs.Length; bug++)
        {
            _output.WriteLine($"Known bug hit by {knownBugHits[bug]} rules: {KnownBugs[bug].Bug}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Count} rules failed:\n\n" + string.Join("\n\n", failures));
        // The grammar is worth running only if it reaches both ends.
        Assert.InRange(generated, Count / 10, Count);
        Assert.InRange(rejectedByKernelGen, Count / 10, Count);
    }

    /// <summary>A generator bug: the problems it causes in generated code, or the sources it silently drops.</summary>
    private sealed record KnownBug(string Bug, Func<Diagnostic, bool>? Problem = null, Func<string, bool>? Silent = null);
}
