using KernelGen.Disasm;
using Xunit;

namespace KernelGen.Tests.Neon;

// xunit 2 has no Assert.Skip: a test is skipped only through its attribute's Skip, which is read
// at discovery. These attributes set it when the ARM64 alternate JIT cannot be had: not a linux-x64
// host, the ILCompiler package missing from the NuGet folder, or no runtime of its exact version.
// That check only looks at files. Once the package and runtime are there, a probe that fails (the
// JIT does not load, prints nothing) is a failure, not a skip: it would hide a real break.

/// <summary>A fact that is skipped, with the reason, when the ARM64 alternate JIT is not available.</summary>
public sealed class ArmAltJitFactAttribute : FactAttribute
{
    public ArmAltJitFactAttribute()
    {
        if (ArmAltJit.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that is skipped, with the reason, when the ARM64 alternate JIT is not available.</summary>
public sealed class ArmAltJitTheoryAttribute : TheoryAttribute
{
    public ArmAltJitTheoryAttribute()
    {
        if (ArmAltJit.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Whether the ARM64 alternate JIT is available, decided once per test run.</summary>
internal static class ArmAltJit
{
    static ArmAltJit()
    {
        Package = AltJitPackage.TryLocate(out string reason);
        SkipReason = Package is null ? "NEON checks skipped: " + reason : null;
    }

    /// <summary>The located package, or <see langword="null"/> when the checks are skipped.</summary>
    public static AltJitPackage? Package { get; }

    /// <summary>Why the NEON checks cannot run here, or <see langword="null"/> when they can.</summary>
    public static string? SkipReason { get; }
}
