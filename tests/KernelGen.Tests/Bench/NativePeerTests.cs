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

    /// <summary>The peer, or <see langword="null"/> when the machine has no C compiler (and only then).</summary>
    private static NativePeer? BuiltOrNoCompiler()
    {
        (NativePeer? peer, string reason) = Built.Value;
        if (peer is null)
        {
            // Only a missing compiler may leave quick without its peer; a failing build is a bug.
            Assert.Null(NativePeer.FindCompiler(Environment.GetEnvironmentVariable(NativePeer.CompilerVariable), Environment.GetEnvironmentVariable("PATH")));
            Assert.StartsWith("no C compiler", reason);
        }

        return peer;
    }

    [Theory]
    [InlineData("AdamW", KernelPath.Auto)]
    [InlineData("AdamW", KernelPath.Scalar)]
    [InlineData("SGD", KernelPath.Auto)]
    [InlineData("SGD", KernelPath.Scalar)]
    public void ThePeerGivesKernelGensBitsOrThereIsNoCompiler(string optimizer, KernelPath path)
    {
        if (BuiltOrNoCompiler() is not NativePeer peer)
        {
            return;
        }

        PeerAgreement? agreement = NativePeerCheck.Run(BenchProfiles.For(optimizer), peer, path, elements: 1037, steps: 4);
        Assert.NotNull(agreement);
        Assert.Equal(0, agreement.BitwiseDifferences);
        Assert.True(agreement.Agrees);
        Assert.Equal(3 * 1037 - (optimizer == "SGD" ? 1037 : 0), agreement.Elements);
    }

    [Theory]
    [InlineData(StateStorage.Float32, KernelPath.Auto)]
    [InlineData(StateStorage.Float32, KernelPath.Vector128)]
    [InlineData(StateStorage.Float32, KernelPath.Scalar)]
    [InlineData(StateStorage.BFloat16, KernelPath.Auto)]
    [InlineData(StateStorage.BFloat16, KernelPath.Vector128)]
    [InlineData(StateStorage.BFloat16, KernelPath.Scalar)]
    public void TheStoredPeersGiveKernelGensBitsOrThereIsNoCompiler(StateStorage parameterAndGradient, KernelPath path)
    {
        if (BuiltOrNoCompiler() is not NativePeer peer)
        {
            return;
        }

        KernelPath resolved = KernelDispatch.IsSupported(path) ? path : KernelPath.Scalar;
        AdamW Create() => new() { LearningRate = 1e-3f, WeightDecay = 0.01f, Path = resolved, StateStorage = StateStorage.BFloat16 };
        foreach (int elements in new[] { 1037, 1038 })
        {
            PeerAgreement? agreement = NativePeerCheck.RunStored(peer, Create, parameterAndGradient, parameterAndGradient, elements, steps: 4);
            Assert.NotNull(agreement);
            Assert.Equal(3 * elements, agreement.Elements);
            Assert.True(agreement.BitwiseDifferences == 0, agreement.ToString());
        }
    }

    [Fact]
    public void OnlyBFloat16AdamWWithoutAmsgradHasAStoredPeer()
    {
        NativePeer? peer = Built.Value.Peer;
        if (peer is null)
        {
            return; // covered above: without a compiler there is no peer to bind
        }

        var adamW = new AdamW();
        Assert.NotNull(peer.BindStoredAdamW(adamW, StateStorage.Float32, StateStorage.Float32, StateStorage.BFloat16));
        Assert.NotNull(peer.BindStoredAdamW(adamW, StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16));
        Assert.Null(peer.BindStoredAdamW(adamW, StateStorage.Float32, StateStorage.Float32, StateStorage.Int8Blockwise));
        Assert.Null(peer.BindStoredAdamW(adamW, StateStorage.Float32, StateStorage.Float32, StateStorage.Float16));
        Assert.Null(peer.BindStoredAdamW(adamW, StateStorage.BFloat16, StateStorage.Float32, StateStorage.BFloat16));
        Assert.Null(peer.BindStoredAdamW(new AdamW { Amsgrad = true }, StateStorage.Float32, StateStorage.Float32, StateStorage.BFloat16));
        NativePeer.StoredStep step = peer.BindStoredAdamW(adamW, StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16)!;
        Assert.Throws<ArgumentException>(() => step(new byte[20], new byte[20], new byte[20], new byte[18], 1));
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
