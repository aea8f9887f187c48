using System;
using System.Linq;
using System.Text.RegularExpressions;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The generated code of the built-in optimizers, compared with reviewed snapshots: any change in
/// what the generator emits for a built-in shows up as a diff to read.
/// </summary>
public class BuiltInSnapshotTests
{
    /// <summary>Every element-wise built-in of <see cref="BuiltInOptimizers"/> (the ones with reductions have their own test).</summary>
    public static TheoryData<string> ElementWise => new(BuiltInSources.Names(reductions: false));

    [Theory]
    [MemberData(nameof(ElementWise))]
    public void GeneratedSourceMatchesTheSnapshot(string name)
    {
        string file = BuiltInSources.FileOf(name);
        GeneratorRun run = BuiltInSources.Generate(file);

        GeneratedAssert.Clean(run, files: BuiltInSources.CountIn(file));
        string hintName = $"KernelGen.Snapshots.{BuiltInSources.TypeOf(name).Name}.KernelGen.g.cs";
        Snapshot.Verify(Assert.Single(run.Sources, source => source.HintName == hintName).Text, "BuiltIn." + name, "cs");
    }

    /// <summary>The generated IR of each built-in parses in the runtime and is the one KernelGen.dll carries.</summary>
    [Theory]
    [InlineData("SGD")]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    public void TheRuleIrParsesInTheRuntime(string name)
    {
        GeneratorRun run = BuiltInSources.Generate(name);

        string ir = RuleSnapshotTests.RuleIrOf(run, "KernelGen.Snapshots." + name);
        UpdateRule rule = UpdateRule.Parse(ir);

        Assert.Equal(name, rule.Name);
        // The runtime was compiled by the same generator: its built-in carries the same IR.
        Assert.True(BuiltInOptimizers.TryCreate(name, out Optimizer? builtIn));
        Assert.Equal(builtIn.Rule.Text, ir);
    }

    /// <summary>The shape the design promises, checked on AdamW beyond its snapshot.</summary>
    [Fact]
    public void AdamWHasFourLoopsAndComputesPowOnceBeforeThem()
    {
        string source = BuiltInSources.Generate("AdamW").SingleSource;
        string[] lines = Snapshot.Normalize(source).Split('\n');

        // One loop per ISA path.
        string[] loops = { "Loop512", "Loop256", "Loop128", "LoopScalar" };
        foreach (string loop in loops)
        {
            Assert.Single(lines, line => Regex.IsMatch(line, $@"^\s*private static void {loop}\b"));
        }

        // Pow is uniform (the step and the betas): both calls sit in the uniform prologue, once
        // each (not once per path), outside every loop, and Apply runs them before the loops: in
        // its own body or in the method it calls first (Prepare), before the dispatch.
        int[] powLines = Enumerable.Range(0, lines.Length)
            .Where(i => lines[i].Contains("MathF.Pow(", StringComparison.Ordinal) && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(2, powLines.Length);
        Member[] members = Members(lines);
        Member prologue = Assert.Single(members, m => powLines.All(i => i > m.Header && i < m.End));
        Assert.DoesNotMatch(@"^(Loop\w+|Run|Dispatch|Unswitch\d+)$", prologue.Name);
        Member apply = Assert.Single(members, m => m.Name == "Apply");
        int dispatch = Enumerable.Range(apply.Header + 1, apply.End - apply.Header)
            .First(i => Regex.IsMatch(lines[i], @"\b(Dispatch|Run|Unswitch\d+|Loop\w+)\s*(<[^>]*>)?\s*\("));
        int prepare = prologue == apply
            ? powLines.Max()
            : Enumerable.Range(apply.Header + 1, apply.End - apply.Header).First(i => Regex.IsMatch(lines[i], $@"\b{prologue.Name}\s*\("));
        Assert.True(prepare < dispatch, $"Apply must compute the uniform part ({prologue.Name}) before it runs the loops.");

        // The scalar rule is echoed in a comment at the top of each loop method.
        string ruleFirstLine = "// [UpdateRule]";
        string ruleLastLine = "//     param -= stepSize * expAvg / denominator;";
        foreach (string loop in loops)
        {
            int method = Array.FindIndex(lines, line => Regex.IsMatch(line, $@"^\s*private static void {loop}\b"));
            int open = Array.FindIndex(lines, method, line => line.Trim() == "{");
            Assert.Equal("// The rule, applied here to every element:", lines[open + 1].Trim());
            Assert.Equal(ruleFirstLine, lines[open + 2].Trim());
            int echoEnd = Array.FindIndex(lines, open + 1, line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal));
            Assert.Contains(lines.Skip(open + 1).Take(echoEnd - open - 1), line => line.Trim() == ruleLastLine);
            int loopStatement = Array.FindIndex(lines, open, line => line.TrimStart().StartsWith("for (", StringComparison.Ordinal));
            Assert.True(echoEnd < loopStatement, $"{loop}: the rule's echo must come before the loop.");
        }
    }

    /// <summary>
    /// The plain loops keep gcc's memory order without its hazard: no store ahead of a load in
    /// an iteration (a load at the address of a store 4 KiB away would wait for it), and each
    /// buffer loaded where it is first used, not all at the top. AdamW's moments load after its
    /// parameter has been decayed, and its parameter is stored last.
    /// </summary>
    [Theory]
    [MemberData(nameof(ElementWise))]
    public void PlainLoopsLoadAtFirstUseAndStoreAfterTheLastLoad(string name)
    {
        string source = Snapshot.Normalize(BuiltInSources.Generate(BuiltInSources.FileOf(name)).Sources.Single(s => s.HintName == $"KernelGen.Snapshots.{BuiltInSources.TypeOf(name).Name}.KernelGen.g.cs").Text);
        string[] lines = source.Split('\n');
        int loops = 0;
        for (int header = 0; header < lines.Length; header++)
        {
            if (!Regex.IsMatch(lines[header], @"^\s*for \((; \w+ < \w+; \w+ \+= \d+|nuint \w+ = \w+; \w+ < \w+; \w+\+\+)\)$"))
            {
                continue;
            }

            string indent = lines[header][..(lines[header].Length - lines[header].TrimStart().Length)];
            int end = Array.FindIndex(lines, header + 1, line => line == indent + "}");
            string[] body = lines[(header + 2)..end];
            int firstStore = Array.FindIndex(body, line => Regex.IsMatch(line, @"\b(StoreUnsafe\(|Unsafe\.Add\([^)]*\) = )"));
            int lastLoad = Array.FindLastIndex(body, line => Regex.IsMatch(line, @"\bLoadUnsafe\(|= (\w+ \? )?global::System\.Runtime\.CompilerServices\.Unsafe\.Add\("));
            if (firstStore < 0)
            {
                continue; // a loop over 16- or 8-bit storage: loads and stores through the storage types, in their own order
            }

            loops++;
            Assert.True(firstStore > lastLoad, $"{name}, line {header + 1}: a store comes before the load on line {header + 3 + lastLoad}.");
        }

        Assert.True(loops >= 2, $"{name}: expected the plain loops, found {loops}.");
        if (name == "AdamW")
        {
            string loop = source[source.IndexOf("for (; i < end; i += 8)", StringComparison.Ordinal)..];
            int decay = loop.IndexOf("param = param * oneMinusLearningRateTimesWeightDecay;", StringComparison.Ordinal);
            Assert.True(decay > 0 && decay < loop.IndexOf("LoadUnsafe(ref expAvgRef, i)", StringComparison.Ordinal), "AdamW: the first moment loads after the parameter's decay.");
            Assert.True(loop.IndexOf("StoreUnsafe(param, ref paramRef, i);", StringComparison.Ordinal) > loop.IndexOf("StoreUnsafe(expAvgSq, ref expAvgSqRef, i);", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Rules with a chain of three or more divisions and square roots, each waiting on the last, get
    /// a software-pipelined loop on every vector path, cut into one stage per operation of the
    /// longest such chain (at most 4); other rules keep the plain loop alone.
    /// </summary>
    [Theory]
    [InlineData("AdamW", 3)] // sqrt, / bias correction, / denominator
    [InlineData("Adam", 3)]
    [InlineData("Adan", 3)]
    [InlineData("MADGRAD", 4)] // a longer chain (the cube root) shares the last stage
    [InlineData("NAdam", 0)] // three in a chain, but [UpdateRule(SoftwarePipelining = false)]: measured slower
    [InlineData("AdaBelief", 0)] // three only with its bias correction on (a flag): not under every flag
    [InlineData("RMSprop", 0)] // sqrt, / denominator: two measured no faster pipelined
    [InlineData("Adagrad", 0)]
    [InlineData("SGD", 0)] // no division
    [InlineData("Lion", 0)]
    [InlineData("Adamax", 0)] // one division, waiting for no other
    public void DependentDividerOperationsArePipelined(string name, int stages)
    {
        string source = Snapshot.Normalize(BuiltInSources.Generate(name).SingleSource);

        MatchCollection pipelined = Regex.Matches(source, @"// Software-pipelined in (\d+) stages");
        if (stages == 0)
        {
            Assert.Empty(pipelined);
            return;
        }

        Assert.Equal(3, pipelined.Count); // Loop512, Loop256, Loop128; the scalar loop stays plain
        Assert.All(pipelined, m => Assert.Equal(stages.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups[1].Value));
        // Each vector path: the prologue, the loop and the epilogue run each stage of a block once.
        Assert.Equal(3 * stages * stages, Regex.Matches(source, @"// stage \d+ of \d+, the block at").Count);
    }

    /// <summary>A method or property of the generated class: its name, header line and closing line.</summary>
    private sealed record Member(string Name, int Header, int End);

    /// <summary>The class members, found by their four-space indentation (the emitter's layout).</summary>
    private static Member[] Members(string[] lines)
    {
        var members = new System.Collections.Generic.List<Member>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match header = Regex.Match(lines[i], @"^    (?:public|private|protected|internal)\b[^=(]*?\b(\w+)\s*(?:<[^>]*>)?\(");
            if (header.Success)
            {
                int end = lines[i].TrimEnd().EndsWith(";", StringComparison.Ordinal) || lines[i].TrimEnd().EndsWith("=>", StringComparison.Ordinal)
                    ? i + 1
                    : Array.FindIndex(lines, i + 1, line => line == "    }");
                members.Add(new Member(header.Groups[1].Value, i, end));
            }
        }

        return members.ToArray();
    }
}
