using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace KernelGen.Disasm;

/// <summary>The code a probe asks for.</summary>
public enum ProbeTarget
{
    /// <summary>The Vector128 loops (<c>Loop128</c>, and <c>Reduce128</c> where the rule has reductions) compiled for ARM64 by the alternate JIT.</summary>
    Arm64,
    /// <summary>The Vector512 and Vector256 loops (<c>Loop512</c>, <c>Loop256</c>) compiled for this x64 machine.</summary>
    X64,
}

/// <summary>
/// Runs the disasm tool's hidden <c>disasm-probe</c> command in a child process with the JIT told to
/// print the loops' listings, and reads them back. One process serves any number of cases: each
/// loop instantiation is compiled, and listed, once.
/// </summary>
public static class JitProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Runs the probe on <paramref name="cases"/>. For <see cref="ProbeTarget.Arm64"/>,
    /// <paramref name="root"/> is required.
    /// </summary>
    /// <param name="target">Which loops, compiled for which machine.</param>
    /// <param name="cases">The optimizer configurations to step.</param>
    /// <param name="root">The private root with the ARM64 alternate JIT.</param>
    /// <param name="userAssembly">An assembly with optimizers that are not built in, or <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">The probe failed, timed out, or printed no listing.</exception>
    public static IReadOnlyList<JitListing> Run(ProbeTarget target, IReadOnlyList<ProbeCase> cases, AltJitRoot? root, string? userAssembly = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = target == ProbeTarget.Arm64
                ? (root ?? throw new ArgumentNullException(nameof(root), "ARM64 listings need the private root.")).DotnetPath
                : Path.Combine(AltJitPackage.RunningHostRoot(), "dotnet"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(JitProbe).Assembly.Location);
        start.ArgumentList.Add(DisasmProbe.Command);
        start.ArgumentList.Add("--paths");
        start.ArgumentList.Add(target == ProbeTarget.Arm64 ? "Vector128" : "Vector512,Vector256");
        if (userAssembly is not null)
        {
            start.ArgumentList.Add("--assembly");
            start.ArgumentList.Add(Path.GetFullPath(userAssembly));
        }

        foreach (ProbeCase probeCase in cases)
        {
            start.ArgumentList.Add(probeCase.ToString());
        }

        SetEnvironment(start, target, root);
        (int exitCode, string output, string error) = RunProcess(start);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The probe exited with {exitCode}:{Environment.NewLine}{error}{output}");
        }

        IReadOnlyList<JitListing> listings = JitListing.ParseAll(output)
            .Where(l => target == ProbeTarget.Arm64 ? l.IsArm64 : l.IsX64)
            .ToList();
        if (listings.Count == 0)
        {
            string hint = target == ProbeTarget.Arm64 ? " (did the alternate JIT load? its listings say 'ARM64')" : "";
            throw new InvalidOperationException($"The probe printed no {target} listing{hint}.{Environment.NewLine}{error}{output}");
        }

        return listings;
    }

    /// <summary>The loop methods each target's listings are of (the reducing pass too, for a rule with per-tensor reductions).</summary>
    public static IReadOnlyList<string> LoopMethods(ProbeTarget target) =>
        target == ProbeTarget.Arm64 ? ["Loop128", "Reduce128"] : ["Loop512", "Loop256"];

    private static void SetEnvironment(ProcessStartInfo start, ProbeTarget target, AltJitRoot? root)
    {
        // The probe's JIT settings are exactly these: a DOTNET_EnableAVX512=0 (or
        // EnableHWIntrinsic=0) the caller runs under must not change the code that is listed.
        foreach (string key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_TieredCompilation"] = "0"; // the first compile is the optimized one
        start.Environment["DOTNET_JitDisasm"] = string.Join(" ", LoopMethods(target));
        // No DOTNET_JitStdOutFile: with an alternate JIT both JITs print, and each would open the
        // file with a buffer of its own, so their listings interleave mid-line (seen with 10.0.12).
        // On stdout both write through the C library's one buffer, one listing after the other.
        if (target == ProbeTarget.Arm64 && root is not null)
        {
            start.Environment["DOTNET_ROOT"] = root.Root;
            start.Environment["DOTNET_AltJitName"] = AltJitPackage.JitFileName;
            // A release JIT takes no method list here: "*" or nothing. Every method is compiled for
            // ARM64 first (and the code dropped), which costs well under a second for the probe.
            start.Environment["DOTNET_AltJit"] = "*";
        }
    }

    private static (int ExitCode, string Output, string Error) RunProcess(ProcessStartInfo start)
    {
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The probe did not finish within {Timeout.TotalMinutes} minutes.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
