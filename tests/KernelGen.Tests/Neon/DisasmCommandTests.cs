using System.IO;
using KernelGen.Disasm;
using Xunit;

namespace KernelGen.Tests.Neon;

/// <summary>The disasm tool end to end, as <c>dotnet run --project tools/Disasm -- ...</c> runs it.</summary>
public sealed class DisasmCommandTests
{
    [ArmAltJitFact]
    public void Arm64PrintsTheNeonLoopOfTheFlagCombinationAsked()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = DisasmCommand.Run(["arm64", "AdamW", "amsgrad=1"], output, error);

        string text = output.ToString();
        Assert.True(exitCode == 0, error.ToString() + text);
        Assert.Contains("; ==== Loop128<TMaximize=False, TAmsgrad=True, TUnscaleGradient=False>", text);
        Assert.Contains("Emitting BLENDED_CODE for generic ARM64", text);
        Assert.Contains("fmax    v", text); // amsgrad's MathF.Max, on lanes
        Assert.Contains("fsqrt   v", text);
        Assert.Contains("NEON all the way", text);
        Assert.DoesNotContain("TAmsgrad=False", text);
    }

    [Fact]
    public void X64PrintsTheAvx2LoopAndTheAvx512OneWhereTheMachineHasIt()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = DisasmCommand.Run(["x64", "SGD"], output, error);

        string text = output.ToString();
        Assert.True(exitCode == 0, error.ToString() + text);
        Assert.Contains("; ==== Loop256<", text);
        Assert.Contains("ymm", text);
        Assert.DoesNotContain("; ==== Loop128", text); // its listing; Loop256 may jump to it for the tail
        // Loop512 is listed when the machine has AVX-512, decided in the probe's own process
        // whatever DOTNET_EnableAVX512 this test runs under.
        if (text.Contains("; ==== Loop512<"))
        {
            Assert.Contains("zmm", text);
        }
    }

    [Fact]
    public void AnUnknownOptimizerOrTargetIsAUsageError()
    {
        var error = new StringWriter();

        Assert.Equal(2, DisasmCommand.Run(["arm64", "NoSuchOptimizer"], new StringWriter(), error));
        Assert.Contains("not a built-in optimizer", error.ToString());
        Assert.Equal(2, DisasmCommand.Run(["riscv", "SGD"], new StringWriter(), new StringWriter()));
        Assert.Equal(2, DisasmCommand.Run(["x64", "SGD", "lr"], new StringWriter(), new StringWriter()));
    }
}
