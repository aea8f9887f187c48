using System;
using KernelGen.Bench.Baselines;
using KernelGen.Bench.Native;
using KernelGen.Bench.Quick;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>
/// The native peer of the quick table: built when a C compiler is present, the same results as
/// KernelGen, timed beside it, and a table without it (nulls) when there is no compiler.
/// </summary>
public class NativePeerTests
{
    /// <summary>Built once for the class: compiling takes a moment. Null where the machine has no C compiler.</summary>
    private static readonly Lazy<(NativePeer? Peer, string Reason)> Built = new(() => (NativePeer.TryBuild(out string reason), reason));

    [Theory]
    [InlineData("AdamW", KernelPath.Auto)]
    [InlineData("AdamW", KernelPath.Scalar)]
    [InlineData("SGD", KernelPath.Auto)]
    [InlineData("SGD", KernelPath.Scalar)]
    public void ThePeerGivesKernelGensBitsOrThereIsNoCompiler(string optimizer, KernelPath path)
    {
        (NativePeer? peer, string reason) = Built.Value;
        if (peer is null)
        {
            // Only a missing compiler may leave quick without its peer; a failing build is a bug.
            Assert.Null(NativePeer.FindCompiler(Environment.GetEnvironmentVariable(NativePeer.CompilerVariable), Environment.GetEnvironmentVariable("PATH")));
            Assert.StartsWith("no C compiler", reason);
            return;
        }

        PeerAgreement? agreement = NativePeerCheck.Run(BenchProfiles.For(optimizer), peer, path, elements: 1037, steps: 4);
        Assert.NotNull(agreement);
        Assert.Equal(0, agreement.BitwiseDifferences);
        Assert.True(agreement.Agrees);
        Assert.Equal(3 * 1037 - (optimizer == "SGD" ? 1037 : 0), agreement.Elements);
    }

    [Fact]
    public void ARowTimesThePeerOnlyForTheOptimizersItHas()
    {
        NativePeer? peer = Built.Value.Peer;
        if (peer is null)
        {
            return; // covered by the test above: without a compiler there is nothing to time
        }

        QuickRow adamW = QuickRunner.MeasureRow(BenchSubject.Create(BenchProfiles.For("AdamW"), 100, peer: peer), TimingPlan.Smoke);
        QuickRow adam = QuickRunner.MeasureRow(BenchSubject.Create(BenchProfiles.For("Adam"), 100, peer: peer), TimingPlan.Smoke);
        Assert.True(adamW.GccNsPerElement > 0);
        Assert.Null(adam.GccNsPerElement);
    }

    [Fact]
    public void AHiddenCompilerGivesNoPeerAndNullFigures()
    {
        string missing = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-folder", "cc");
        Assert.Null(NativePeer.TryBuild(missing, Environment.GetEnvironmentVariable("PATH"), out string reason));
        Assert.Contains("does not exist", reason);
        Assert.Null(NativePeer.TryBuild(null, "", out reason));
        Assert.StartsWith("no C compiler on the PATH", reason);

        BenchSubject subject = BenchSubject.Create(BenchProfiles.For("SGD"), 100, peer: null);
        Assert.Null(subject.Gcc);
        QuickRow row = QuickRunner.MeasureRow(subject, TimingPlan.Smoke);
        Assert.Null(row.GccNsPerElement);
        Assert.Null(row.OverGcc);
    }

    [Fact]
    public void APeerBeyondTheToleranceIsNotTimed()
    {
        Assert.True(new PeerAgreement(100, 0, 0, null).Agrees);
        Assert.True(new PeerAgreement(100, 3, PeerAgreement.RelativeTolerance, "x[0]").Agrees);
        Assert.False(new PeerAgreement(100, 1, 2 * PeerAgreement.RelativeTolerance, "x[0]").Agrees);
        Assert.False(new PeerAgreement(100, 1, double.PositiveInfinity, "x[0]").Agrees);
    }
}
