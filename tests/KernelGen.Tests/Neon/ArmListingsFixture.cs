using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using KernelGen.Disasm;
using KernelGen.Tests.Kernels;

namespace KernelGen.Tests.Neon;

/// <summary>
/// The ARM64 listings of every Vector128 loop the NEON tests look at, from one probe process for
/// the whole test class (about a second once the private root is cached): every built-in optimizer
/// under its <see cref="BranchCases"/>, and the test rule <see cref="SelectRule"/>, whose explicit
/// <c>MathF.FusedMultiplyAdd</c> shows that the FMA check does see FMA instructions.
/// </summary>
public sealed class ArmListingsFixture
{
    private readonly Lazy<ArmListings> _listings = new(Probe);

    /// <summary>The listings; the first use runs the probe (a failure is rethrown to every test).</summary>
    public ArmListings Listings => _listings.Value;

    private static ArmListings Probe()
    {
        AltJitPackage package = ArmAltJit.Package
            ?? throw new InvalidOperationException(ArmAltJit.SkipReason); // the tests are skipped then; never reached
        var stopwatch = Stopwatch.StartNew();
        AltJitRoot root = AltJitRoot.Prepare(package);
        var cases = new List<ProbeCase>();
        foreach (string name in BuiltInOptimizers.Names)
        {
            cases.AddRange(BranchCases.For(name, () => BuiltInOptimizers.TryCreate(name, out Optimizer? o) ? o : throw new InvalidOperationException(name)));
        }

        cases.AddRange(BranchCases.For(typeof(SelectRule).FullName!, () => new SelectRule()));
        IReadOnlyList<JitListing> listings = JitProbe.Run(ProbeTarget.Arm64, cases, root, typeof(SelectRule).Assembly.Location);
        return new ArmListings(cases, listings.Where(l => l.MethodName == "Loop128").ToList(),
            listings.Where(l => l.MethodName == "Reduce128").ToList(), stopwatch.Elapsed);
    }
}

/// <summary>The probe's result: its cases, the <c>Loop128</c> and <c>Reduce128</c> listings, and how long it took.</summary>
public sealed class ArmListings(IReadOnlyList<ProbeCase> cases, IReadOnlyList<JitListing> listings, IReadOnlyList<JitListing> reducing, TimeSpan elapsed)
{
    public IReadOnlyList<ProbeCase> Cases { get; } = cases;

    public TimeSpan Elapsed { get; } = elapsed;

    /// <summary>The listings of one optimizer class's Vector128 loop, one per flag combination compiled.</summary>
    public IReadOnlyList<JitListing> Of(Type optimizerType) =>
        listings.Where(l => l.ClassName == optimizerType.FullName).ToList();

    /// <summary>The listings of one optimizer class's Vector128 reducing pass, one per flag combination compiled.</summary>
    public IReadOnlyList<JitListing> ReducingOf(Type optimizerType) =>
        reducing.Where(l => l.ClassName == optimizerType.FullName).ToList();
}
