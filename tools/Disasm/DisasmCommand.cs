using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using System.Reflection;

namespace KernelGen.Disasm;

/// <summary>
/// <c>dotnet run -c Release --project tools/Disasm -- arm64|x64 OPTIMIZER [key=value ...] [--assembly DLL]</c>:
/// prints the machine code of an optimizer's generated loops. <c>arm64</c> lists the Vector128 loop (<c>Loop128</c>, the
/// NEON path) as the ARM64 alternate JIT compiles it, each followed by the NEON check's counts;
/// <c>x64</c> lists the AVX-512 (<c>Loop512</c>) and AVX2 (<c>Loop256</c>) loops as this machine
/// compiles them. Settings pick the flag combination: <c>arm64 AdamW amsgrad=1</c>.
/// Exit code 0; 1 when an ARM64 loop is not NEON all the way; 2 for a usage error; 3 when the
/// alternate JIT is not available or the probe failed.
/// </summary>
public static class DisasmCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "dotnet run -c Release --project tools/Disasm -- arm64|x64 OPTIMIZER [key=value ...] [--assembly DLL]";

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out ProbeTarget target, out ProbeCase? probeCase, out string? assembly, out string? problem))
        {
            error.WriteLine($"{problem}{Environment.NewLine}usage: {Usage}");
            return 2;
        }

        Type optimizerType;
        AltJitRoot? root = null;
        IReadOnlyList<JitListing> listings;
        try
        {
            optimizerType = new OptimizerResolver(assembly is null ? null : Assembly.LoadFrom(Path.GetFullPath(assembly))).FindType(probeCase.Optimizer);
            if (target == ProbeTarget.Arm64)
            {
                AltJitPackage package = AltJitPackage.TryLocate(out string reason) ?? throw new InvalidOperationException(reason);
                root = AltJitRoot.Prepare(package);
            }

            listings = JitProbe.Run(target, [probeCase], root, assembly);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or FormatException)
        {
            error.WriteLine($"disasm: {ex.Message}");
            return ex is ArgumentException ? 2 : 3;
        }

        output.WriteLine(target == ProbeTarget.Arm64
            ? $"; {optimizerType.FullName}: the Vector128 (NEON) loop compiled for ARM64 by {AltJitPackage.JitFileName} {root!.Package.Version}"
            : $"; {optimizerType.FullName}: the Vector512 (AVX-512) and Vector256 (AVX2) loops compiled for this machine");
        output.WriteLine($"; case: {probeCase}, steps 1 to 7");
        bool allNeon = true;
        foreach (JitListing listing in listings.Where(l => l.ClassName == optimizerType.FullName))
        {
            output.WriteLine();
            output.WriteLine($"; ==== {LoopFlags.Describe(optimizerType, listing)}");
            output.WriteLine(listing.Text);
            if (listing.IsArm64)
            {
                NeonReport report = NeonReport.Analyze(listing);
                allNeon &= report.IsNeonAllTheWay;
                output.WriteLine($"; ---- {report.Summary}");
                foreach (string finding in report.Violations.Concat(report.Notes))
                {
                    output.WriteLine($";      {finding}");
                }
            }
        }

        return allNeon ? 0 : 1;
    }

    private static bool TryParse(IReadOnlyList<string> args, out ProbeTarget target, [NotNullWhen(true)] out ProbeCase? probeCase,
        out string? assembly, [NotNullWhen(false)] out string? problem)
    {
        target = default;
        probeCase = null;
        assembly = null;
        problem = null;
        if (args.Count < 2 || !TryParseTarget(args[0], out target))
        {
            problem = "Disasm takes a target (arm64 or x64) and an optimizer name.";
            return false;
        }

        var settings = new List<KeyValuePair<string, double>>();
        for (int i = 2; i < args.Count; i++)
        {
            if (args[i] == "--assembly" && i + 1 < args.Count)
            {
                assembly = args[++i];
                continue;
            }

            try
            {
                settings.Add(ProbeCase.ParseSetting(args[i]));
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
                return false;
            }
        }

        probeCase = new ProbeCase(args[1], settings);
        return true;
    }

    private static bool TryParseTarget(string text, out ProbeTarget target)
    {
        target = text.ToLowerInvariant() switch
        {
            "arm64" => ProbeTarget.Arm64,
            "x64" => ProbeTarget.X64,
            _ => (ProbeTarget)(-1),
        };
        return Enum.IsDefined(target);
    }
}
