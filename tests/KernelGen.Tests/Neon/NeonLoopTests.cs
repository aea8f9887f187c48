using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Disasm;
using KernelGen.Tests.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Tests.Neon;

/// <summary>
/// The NEON path, proven on x64: the ARM64 code the alternate JIT makes of every built-in
/// optimizer's Vector128 loop, under every flag combination <see cref="BranchCases"/> reaches, is
/// NEON all the way. Instructions are checked; nothing runs on ARM64 hardware (see docs/neon.md).
/// </summary>
public sealed class NeonLoopTests(ArmListingsFixture fixture, ITestOutputHelper output) : IClassFixture<ArmListingsFixture>
{
    public static TheoryData<string> BuiltIns() => new(BuiltInOptimizers.Names);

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void LoadsAndStoresAre128Bit(string optimizer) => ForEachLoop(optimizer, (report, where) =>
    {
        Assert.True(report.VectorLoads > 0, $"no 128-bit load in {where}");
        Assert.True(report.VectorStores > 0, $"no 128-bit store in {where}");
        AssertNone(report, "narrower than 128 bits", where);
    });

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void ArithmeticIsOnFourLanes(string optimizer) => ForEachLoop(optimizer, (report, where) =>
    {
        Assert.True(report.FloatOps4S > 0, $"no .4s float arithmetic in {where}");
        AssertNone(report, "scalar", where);
        AssertNone(report, "one lane at a time", where);
        AssertNone(report, "half-width", where);
        AssertNone(report, "SVE", where);
    });

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void SquareRootsAndDivisionsAreVectorExactlyWhereTheRuleHasThem(string optimizer)
    {
        RuleOperations rule = RuleOperations.Of(Create(optimizer).Rule);
        List<NeonReport> reports = Reports(optimizer);
        output.WriteLine($"{optimizer} rule: {rule}");

        // A uniform sqrt or division is hoisted: only the rule's per-element ones may be in the loop.
        Assert.Equal(rule.SquareRoots > 0, reports.Any(r => r.SquareRoots > 0));
        Assert.Equal(rule.Divisions > 0, reports.Any(r => r.Divisions > 0));
        ForEachLoop(optimizer, (report, where) =>
        {
            // A rule whose divider operations wait on each other also has a software-pipelined loop
            // before the plain one, with two blocks per iteration: three copies of the rule's work.
            int copies = report.Loop.BackEdges > 1 ? 3 : 1;
            Assert.True(report.SquareRoots <= copies * rule.SquareRoots, $"{report.SquareRoots} fsqrt where the rule has {rule.SquareRoots} ({copies} copies): {where}");
            Assert.True(report.Divisions <= copies * rule.Divisions, $"{report.Divisions} fdiv where the rule has {rule.Divisions} ({copies} copies): {where}");
        });
    }

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void FusedMultiplyAddOnlyWhereTheRuleAsks(string optimizer)
    {
        // The determinism contract: a * b + c stays a multiply and an add (two roundings) on
        // every path; only an explicit MathF.FusedMultiplyAdd is one instruction.
        RuleOperations rule = RuleOperations.Of(Create(optimizer).Rule);
        AssertFusedMultiplyAdds(optimizer, Reports(optimizer), rule);
    }

    [ArmAltJitFact]
    public void AnExplicitFusedMultiplyAddIsOneFmlaAndTheRestIsNeon()
    {
        // SelectRule calls MathF.FusedMultiplyAdd once on varying values: the check must see it.
        RuleOperations rule = RuleOperations.Of(new SelectRule().Rule);
        List<NeonReport> reports = Reports(typeof(SelectRule));

        Assert.Equal(1, rule.FusedMultiplyAdds);
        AssertFusedMultiplyAdds(nameof(SelectRule), reports, rule);
        Assert.All(reports, r => Assert.True(r.IsNeonAllTheWay, string.Join(Environment.NewLine, r.Violations)));
    }

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void NoCallInsideTheLoop(string optimizer) => ForEachLoop(optimizer, (report, where) =>
    {
        Assert.True(report.Loop.BackEdges > 0, $"no loop found in {where}");
        Assert.True(report.Calls == 0, $"{report.Calls} call(s) in {where}");
    });

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void LoopIsNeonAllTheWay(string optimizer) => ForEachLoop(optimizer, (report, where) =>
        Assert.True(report.IsNeonAllTheWay, $"{where}:{Environment.NewLine}{string.Join(Environment.NewLine, report.Violations)}"));

    [ArmAltJitTheory]
    [MemberData(nameof(BuiltIns))]
    public void EveryUniformBranchIsCompiledBothWays(string optimizer)
    {
        Type type = Create(optimizer).GetType();
        IReadOnlyList<JitListing> listings = fixture.Listings.Of(type);
        Assert.NotEmpty(listings);
        var seen = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (JitListing listing in listings)
        {
            foreach ((string name, string value) in LoopFlags.Of(type, listing))
            {
                (seen.TryGetValue(name, out SortedSet<string>? values) ? values : seen[name] = new SortedSet<string>()).Add(value);
            }
        }

        output.WriteLine($"{optimizer}: {listings.Count} Loop128 instantiation(s); flags {string.Join(", ", seen.Select(f => $"{f.Key} {{{string.Join(",", f.Value)}}}"))}");
        foreach ((string flag, SortedSet<string> values) in seen)
        {
            Assert.True(values.SetEquals(["False", "True"]),
                $"{optimizer}'s Loop128 was compiled only with {flag}={string.Join(",", values)} under the probe's cases " +
                $"({string.Join("; ", fixture.Listings.Cases.Where(c => c.Optimizer == optimizer))}); add a case to BranchCases.Extra.");
        }
    }

    public static TheoryData<string> WithReductions() =>
        new(BuiltInOptimizers.Names.Where(n => Create(n).Rule.ReductionCount > 0));

    /// <summary>
    /// The reducing pass of Lamb, LARS and NovoGrad (a Vector128 loop that evaluates the rule and
    /// sums into lanes): 128-bit loads, .4s arithmetic, no call, no FMA the rule did not ask for.
    /// </summary>
    [ArmAltJitTheory]
    [MemberData(nameof(WithReductions))]
    public void ReducingPassIsNeonAllTheWay(string optimizer)
    {
        Optimizer created = Create(optimizer);
        RuleOperations rule = RuleOperations.Of(created.Rule);
        IReadOnlyList<JitListing> listings = fixture.Listings.ReducingOf(created.GetType());
        Assert.NotEmpty(listings);
        List<NeonReport> reports = listings.Select(NeonReport.Analyze).ToList();
        foreach ((JitListing listing, NeonReport report) in listings.Zip(reports))
        {
            string where = $"{optimizer} Reduce128 {LoopFlags.Describe(created.GetType(), listing)}: {report.Summary}";
            output.WriteLine(where);
            Assert.True(report.Loop.BackEdges > 0, $"no loop found in {where}");
            Assert.True(report.VectorLoads > 0, $"no 128-bit load in {where}");
            Assert.True(report.FloatOps4S > 0, $"no .4s float arithmetic in {where}");
            Assert.True(report.Calls == 0, $"{report.Calls} call(s) in {where}");
            Assert.True(report.IsNeonAllTheWay, $"{where}:{Environment.NewLine}{string.Join(Environment.NewLine, report.Violations)}");
        }

        AssertFusedMultiplyAdds(optimizer, reports, rule);
    }

    [ArmAltJitFact]
    public void TheProbeIsQuick()
    {
        ArmListings listings = fixture.Listings;
        output.WriteLine($"{listings.Cases.Count} cases probed in {listings.Elapsed.TotalSeconds:F1} s (private root included)");
        Assert.True(listings.Elapsed < TimeSpan.FromMinutes(2), $"the probe took {listings.Elapsed}");
    }

    private static Optimizer Create(string name) =>
        BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : throw new ArgumentException(name);

    private static void AssertNone(NeonReport report, string kind, string where)
    {
        string[] found = report.Violations.Where(v => v.Contains(kind, StringComparison.Ordinal)).ToArray();
        Assert.True(found.Length == 0, $"{where}:{Environment.NewLine}{string.Join(Environment.NewLine, found)}");
    }

    private static void AssertFusedMultiplyAdds(string optimizer, List<NeonReport> reports, RuleOperations rule)
    {
        Assert.All(reports, r => Assert.True(r.FusedMultiplyAdds <= rule.FusedMultiplyAdds,
            $"{optimizer}: {r.FusedMultiplyAdds} FMA instruction(s) where the rule asks for {rule.FusedMultiplyAdds}"));
        Assert.Equal(rule.FusedMultiplyAdds > 0, reports.Any(r => r.FusedMultiplyAdds > 0));
    }

    private List<NeonReport> Reports(string optimizer) => Reports(Create(optimizer).GetType());

    private List<NeonReport> Reports(Type type)
    {
        IReadOnlyList<JitListing> listings = fixture.Listings.Of(type);
        Assert.True(listings.Count > 0, $"the probe compiled no Loop128 of {type.FullName}");
        return listings.Select(NeonReport.Analyze).ToList();
    }

    // Runs a check on each compiled instantiation; a failure names it and carries its listing.
    private void ForEachLoop(string optimizer, Action<NeonReport, string> check)
    {
        Type type = Create(optimizer).GetType();
        IReadOnlyList<JitListing> listings = fixture.Listings.Of(type);
        Assert.True(listings.Count > 0, $"the probe compiled no Loop128 of {optimizer}");
        foreach (JitListing listing in listings)
        {
            NeonReport report = NeonReport.Analyze(listing);
            string where = $"{type.Name}.{LoopFlags.Describe(type, listing)}";
            output.WriteLine($"{where}: {report.Summary}");
            foreach (string note in report.Notes)
            {
                output.WriteLine($"  note: {note}");
            }

            try
            {
                check(report, where);
            }
            catch (Exception)
            {
                output.WriteLine(listing.Text);
                throw;
            }
        }
    }
}
