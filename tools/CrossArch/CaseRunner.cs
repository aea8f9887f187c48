using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using KernelGen.Tests.Kernels;

namespace KernelGen.CrossArch;

/// <summary>
/// Runs every case on every path this machine has and writes one line per case: the digest (16
/// hex digits) and the name. A case whose paths disagree, that differs from the case it must
/// equal, or that throws, gets a word instead of a digest (never equal to a digest on the other
/// machine) and a line on the log saying what happened.
/// </summary>
internal static class CaseRunner
{
    /// <summary>
    /// <c>arm64:NAME</c> or <c>x64:NAME</c>: flips one bit of case NAME's digest on that
    /// architecture only, to see the comparison fail and name the case. Never set by the check itself.
    /// </summary>
    public const string PerturbVariable = "KERNELGEN_CROSSARCH_PERTURB";

    /// <summary>Returns how many cases failed on this machine.</summary>
    public static int Run(IReadOnlyList<CrossArchCase> cases, TextWriter digests, TextWriter log)
    {
        KernelPath[] paths = KernelCases.SupportedPaths.ToArray();
        string architecture = Architecture();
        string? perturbed = Perturbed(architecture);
        digests.WriteLine($"# {architecture}, paths {string.Join(' ', paths)}, {cases.Count} cases");
        log.WriteLine($"{architecture}: paths {string.Join(", ", paths)} ({InstructionSets()}); {cases.Count} cases");

        var results = new Dictionary<string, ulong>(StringComparer.Ordinal);
        // Per kind of case (the name's first word): how many and how long, in the order they first run.
        var timings = new List<(string Kind, int Cases, TimeSpan Time)>();
        int failures = 0;
        foreach (CrossArchCase @case in cases)
        {
            long start = Stopwatch.GetTimestamp();
            string digest = Digest(@case, paths, results, @case.Name == perturbed, log);
            if (!IsDigest(digest))
            {
                failures++;
            }

            digests.WriteLine($"{digest}\t{@case.Name}");
            string kind = @case.Name[..@case.Name.IndexOf(' ')];
            int k = timings.FindIndex(t => t.Kind == kind);
            if (k < 0)
            {
                k = timings.Count;
                timings.Add((kind, 0, TimeSpan.Zero));
            }

            timings[k] = (kind, timings[k].Cases + 1, timings[k].Time + Stopwatch.GetElapsedTime(start));
        }

        foreach ((string kind, int count, TimeSpan time) in timings)
        {
            log.WriteLine($"{architecture}: {count} {kind} cases in {time.TotalSeconds:F1} s");
        }

        return failures;
    }

    /// <summary>A digest as the files hold it: 16 lower-case hex digits. Anything else marks a failed case.</summary>
    public static bool IsDigest(string text) => text.Length == 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _);

    private static string Digest(CrossArchCase @case, KernelPath[] paths, Dictionary<string, ulong> results, bool perturb, TextWriter log)
    {
        if (@case.Name.Contains('\t') || @case.Name.Contains('\n') || results.ContainsKey(@case.Name))
        {
            throw new InvalidOperationException($"Case names must be unique and hold no tab or line break: '{@case.Name}'.");
        }

        ulong[] digests;
        try
        {
            digests = paths.Select(@case.Run).ToArray();
        }
        catch (Exception exception)
        {
            log.WriteLine($"{@case.Name}: {exception.GetType().Name}: {exception.Message}");
            return "error";
        }

        if (digests.Distinct().Count() > 1)
        {
            log.WriteLine($"{@case.Name}: the paths differ on this machine: " + string.Join(", ", paths.Zip(digests, (p, d) => $"{p} {d:x16}")));
            return "paths-differ";
        }

        ulong digest = perturb ? digests[0] ^ 1 : digests[0];
        results[@case.Name] = digest;
        if (@case.SameAs is { } other)
        {
            if (!results.TryGetValue(other, out ulong expected))
            {
                log.WriteLine($"{@case.Name}: '{other}', which it must equal, did not run before it or failed");
                return "no-reference";
            }

            if (expected != digest)
            {
                log.WriteLine($"{@case.Name}: differs from '{other}' on this machine: {digest:x16} against {expected:x16}");
                return "differs-from-reference";
            }
        }

        return digest.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>What the vector paths run on: the log shows that ARM64's Vector128 is AdvSimd (NEON), not a software fallback.</summary>
    private static string InstructionSets()
    {
        var supported = new List<string>();
        void Add(string name, bool isSupported)
        {
            if (isSupported)
            {
                supported.Add(name);
            }
        }

        Add("AVX-512F", System.Runtime.Intrinsics.X86.Avx512F.IsSupported);
        Add("AVX2", System.Runtime.Intrinsics.X86.Avx2.IsSupported);
        Add("SSE4.2", System.Runtime.Intrinsics.X86.Sse42.IsSupported);
        Add("AdvSimd", System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported);
        return supported.Count > 0 ? string.Join(", ", supported) : "no vector instructions";
    }

    private static string Architecture() => RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    private static string? Perturbed(string architecture)
    {
        string? value = Environment.GetEnvironmentVariable(PerturbVariable);
        string prefix = architecture + ":";
        return value is not null && value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : null;
    }
}
