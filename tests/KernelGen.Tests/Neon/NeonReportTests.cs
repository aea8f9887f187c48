using System;
using System.Linq;
using KernelGen.Disasm;
using Xunit;

namespace KernelGen.Tests.Neon;

/// <summary>
/// The NEON check on hand-written listings in the JIT's format: it must find the loop, see what is
/// not NEON inside it, and ignore what is outside it. These run everywhere, with or without the
/// alternate JIT.
/// </summary>
public sealed class NeonReportTests
{
    private const string Prologue = """
        ; Assembly listing for method KernelGen.Fake:Loop128[KernelGen.Internal.False,KernelGen.Internal.True](byref) (FullOpts)
        ; Emitting BLENDED_CODE for generic ARM64 + SVE on Unix

        G_M000_IG01:                ;; offset=0x0000
                    stp     fp, lr, [sp, #-0x10]!
                    mov     fp, sp
                    ldp     s16, s17, [x0, #0x50]
                    dup     v16.4s, v16.s[0]
                    cmp     x5, #4
                    blo     G_M000_IG04

        G_M000_IG03:                ;; offset=0x0058
                    lsl     x7, x6, #2
                    ldr     q24, [x1, x7]
        """;

    private const string Epilogue = """
                    str     q24, [x2, x7]
                    add     x6, x6, #4
                    cmp     x7, x5
                    bls     G_M000_IG03

        G_M000_IG04:                ;; offset=0x00C0
                    ldr     x2, [x2]
                    ldp     fp, lr, [sp], #0x10
                    br      x2

        ; Total bytes of code 220
        """;

    private static NeonReport Analyze(string loopBody) =>
        NeonReport.Analyze(JitListing.ParseAll(Prologue + "\n" + loopBody + "\n" + Epilogue).Single());

    [Fact]
    public void AVectorLoopIsNeonAndWhatIsOutsideTheLoopDoesNotCount()
    {
        NeonReport report = Analyze("""
                    fmul    v26.4s, v26.4s, v17.4s
                    fsqrt   v28.4s, v27.4s
                    fdiv    v25.4s, v25.4s, v28.4s
                    bsl     v24.16b, v25.16b, v26.16b
            """);

        // The scalar ldp, the lane dup and the tail jump (br) are before or after the loop.
        Assert.True(report.IsNeonAllTheWay, string.Join(Environment.NewLine, report.Violations));
        Assert.Equal(1, report.Loop.BackEdges);
        Assert.Equal((1, 1, 3, 1, 1, 0, 0), (report.VectorLoads, report.VectorStores, report.FloatOps4S, report.SquareRoots, report.Divisions, report.FusedMultiplyAdds, report.Calls));
    }

    [Theory]
    [InlineData("bl      CORINFO_HELP_THROW", "call inside the loop")]
    [InlineData("blr     x3", "call inside the loop")]
    [InlineData("fsqrt   s0, s1", "scalar float operation")]
    [InlineData("fadd    d0, d0, d1", "scalar float operation")]
    [InlineData("ldr     s0, [x1, x7]", "load narrower than 128 bits")]
    [InlineData("str     w3, [x1]", "store narrower than 128 bits")]
    [InlineData("ins     v0.s[1], v1.s[0]", "one lane at a time")]
    [InlineData("fmul    v0.2s, v0.2s, v1.2s", "half-width (64-bit) vector")]
    [InlineData("fmul    z0.s, z0.s, z1.s", "SVE, not NEON")]
    public void FindsWhatIsNotNeonInsideTheLoop(string instruction, string finding)
    {
        NeonReport report = Analyze("            " + instruction);

        Assert.False(report.IsNeonAllTheWay);
        Assert.Contains(report.Violations, v => v.StartsWith(finding, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fmla    v26.4s, v25.4s, v19.4s")]
    [InlineData("fmls    v26.4s, v25.4s, v19.4s")]
    [InlineData("fmadd   s0, s1, s2, s3")]
    [InlineData("fnmsub  s0, s1, s2, s3")]
    public void CountsEveryFormOfFusedMultiplyAdd(string instruction)
    {
        Assert.Equal(1, Analyze("            " + instruction).FusedMultiplyAdds);
    }

    [Fact]
    public void ConditionalBranchesNamedLikeCallsAreNotCalls()
    {
        NeonReport report = Analyze("""
                    ble     G_M000_IG04
                    blt     G_M000_IG04
                    blo     G_M000_IG04
            """);

        Assert.Equal(0, report.Calls);
    }

    [Fact]
    public void ALoadIntoTheZeroRegisterIsANullCheckNotAViolation()
    {
        NeonReport report = Analyze("            ldrsb   wzr, [x3, x6]");

        Assert.True(report.IsNeonAllTheWay);
        Assert.Equal(1, report.NullChecks);
        Assert.Single(report.Notes);
    }

    [Fact]
    public void AListingWithoutABackwardBranchHasNoLoop()
    {
        string straight = Prologue.Replace("blo     G_M000_IG04", "nop") + "\n            ret\n; Total bytes of code 40";

        NeonReport report = NeonReport.Analyze(JitListing.ParseAll(straight).Single());

        Assert.Equal(0, report.Loop.BackEdges);
        Assert.Contains("no loop found (no backward branch)", report.Violations);
    }

    [Fact]
    public void AListingNamesItsMethodTypeArgumentsAndTarget()
    {
        JitListing listing = JitListing.ParseAll(Prologue + "\n" + Epilogue).Single();

        Assert.Equal("KernelGen.Fake", listing.ClassName);
        Assert.Equal("Loop128", listing.MethodName);
        Assert.Equal(["KernelGen.Internal.False", "KernelGen.Internal.True"], listing.TypeArguments);
        Assert.True(listing.IsArm64);
        Assert.False(listing.IsX64);
    }

    [Fact]
    public void InterleavedListingsAreRefused()
    {
        // What two JITs writing one file through separate buffers produce.
        string interleaved = Prologue + "\n" + Prologue + "\n" + Epilogue;

        Assert.Throws<FormatException>(() => JitListing.ParseAll(interleaved));
    }

    [Theory]
    [InlineData("AdamW")]
    [InlineData("AdamW:amsgrad=1,lr=0.5")]
    public void ProbeCasesRoundTrip(string text)
    {
        Assert.Equal(text, ProbeCase.Parse(text).ToString());
    }

    [Fact]
    public void ProbeCaseSettingsReadTrueAndFalse()
    {
        ProbeCase probeCase = ProbeCase.Parse("SGD:nesterov=true,maximize=false");

        Assert.Equal([1d, 0d], probeCase.Settings.Select(s => s.Value));
    }
}
