using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Bench.Baselines;
using KernelGen.Bench.Native;

namespace KernelGen.Bench.Quick;

/// <summary>
/// <c>quick</c>: within a minute, KernelGen side by side with a naive scalar loop, a
/// TensorPrimitives composition, the roofline and (when a C compiler is present) the same loop
/// compiled by it, for every built-in optimizer at 4 Ki to 16 Mi elements; ns per element, medians
/// of repeated runs after warm-up in this one process.
/// Exit code 0, 1 when a baseline disagrees with the optimizer (nothing is timed then), 2 for a usage error.
/// </summary>
public static class QuickCommand
{
    /// <summary>Three optimizers fit the timing plan's full budget in well under a minute; more share it.</summary>
    private const int OptimizersAtFullBudget = 3;

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count > 0 && args[0] == FirstSteps.ProbeArgument)
        {
            return FirstSteps.Probe(args.Skip(1).ToArray(), output, error);
        }

        QuickOptions? options = QuickOptions.Parse(args, out string? problem);
        if (options is null)
        {
            error.WriteLine($"{problem}{Environment.NewLine}usage: {QuickOptions.Usage}");
            return 2;
        }

        if (!KernelDispatch.IsSupported(options.Path))
        {
            error.WriteLine($"The {options.Path} path is not hardware accelerated here (best: {KernelDispatch.Best}).");
            return 2;
        }

        IReadOnlyList<BenchProfile> profiles;
        try
        {
            profiles = options.Optimizers is null ? BenchProfiles.All() : options.Optimizers.Select(BenchProfiles.For).ToArray();
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"{e.Message} Built-in: {string.Join(", ", BuiltInOptimizers.Names)}.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        WriteHeader(output, options, profiles);
        if (options.FirstStepsOnly)
        {
            List<ModelSteps.Row> steady = ModelSteps.Measure(options.Path, error);
            output.WriteLine();
            ModelSteps.Write(output, steady);
            WriteFirstSteps(output, error, options, steady);
            return 0;
        }

        if (!CheckBaselines(output, profiles, options.Path))
        {
            return 1;
        }

        IReadOnlySet<string> peered = PreparePeer(output, profiles, options.Path, out NativePeer? peer);
        int warmupRounds = QuickRunner.WarmUpCompilation(profiles, options.Path);
        TimingPlan plan = TimingPlan.Quick.Scale(Math.Min(1.0, (double)OptimizersAtFullBudget / profiles.Count));
        var rows = new List<QuickRow>();
        foreach (BenchProfile profile in profiles)
        {
            foreach (int size in options.Sizes)
            {
                error.Write($"\rmeasuring {profile.Name} at {QuickTable.SizeText(size)} ...        ");
                NativePeer? rowPeer = peered.Contains(profile.Name) ? peer : null;
                rows.Add(QuickRunner.MeasureRow(BenchSubject.Create(profile, size, options.Path, peer: rowPeer), plan));
            }

            // The 16 Mi buffers of this optimizer go before the next allocates its own.
            GC.Collect();
        }

        error.Write("\r" + new string(' ', 48) + "\r");
        List<ModelSteps.Row> modelRows = ModelSteps.Measure(options.Path, error);
        List<ParallelSteps.Row> parallelRows = ParallelSteps.Measure(options.Path, TimingPlan.Quick, error);
        parallelRows.AddRange(ParallelSteps.MeasureBusy(options.Path, TimingPlan.Quick, error));
        List<StorageSteps.Row> storageRows = StorageSteps.Measure(options.Path, TimingPlan.Quick, peer, output, error);
        output.WriteLine();
        QuickTable.Write(output, rows);
        QuickRow[] mainRows = rows.ToArray(); // the plot's: before the model and parallel rows join the JSON's
        output.WriteLine();
        ModelSteps.Write(output, modelRows);
        rows.AddRange(modelRows.Select(row => row.ToQuickRow()));
        output.WriteLine();
        ParallelSteps.Write(output, parallelRows);
        rows.AddRange(parallelRows.Select(row => row.ToQuickRow()));
        WriteFirstSteps(output, error, options, modelRows);
        output.WriteLine();
        StorageSteps.Write(output, storageRows);
        rows.AddRange(storageRows.Select(row => row.ToQuickRow()));
        output.WriteLine();
        output.WriteLine("ns per element, median of interleaved samples after warm-up; x naive and x TP: KernelGen's speed-up;");
        output.WriteLine("/roofline: KernelGen's time over the roofline's; KG GB/s: B/elem over KernelGen's ns; alloc: KernelGen bytes per step.");
        output.WriteLine("gcc: the same loop compiled by the C compiler (AdamW and SGD, and AdamW with bfloat16 storage); x gcc: KernelGen's time over its (below 1: KernelGen faster).");
        if (options.PlotPath is not null)
        {
            QuickPlot.Save(mainRows, options.PlotPath);
            output.WriteLine($"plot drawn to {options.PlotPath}");
        }

        if (options.JsonPath is not null)
        {
            QuickJson.WriteFile(options.JsonPath, rows);
            output.WriteLine($"rows written to {options.JsonPath}");
        }

        output.WriteLine($"{rows.Count} rows in {clock.Elapsed.TotalSeconds:F1} s (compilation settled after {warmupRounds} warm-up rounds; load average {LoadAverage()})");
        return 0;
    }

    /// <summary>Measures the first steps in fresh processes against <paramref name="modelRows"/>, writes their table, and their JSON next to quick's.</summary>
    private static void WriteFirstSteps(TextWriter output, TextWriter error, QuickOptions options, IReadOnlyList<ModelSteps.Row> modelRows)
    {
        List<FirstSteps.Row> firstRows = FirstSteps.Measure(modelRows, options.Path, error);
        output.WriteLine();
        FirstSteps.Write(output, firstRows);
        output.WriteLine($"warm-up: Optimizer.Warm(), with GradientClipping.Warm() and the scheduler's Warm() for {ModelSteps.TrainingLoopSuffix}; steady: the mean of 1,000 steps once settled, in the same process; medians of {FirstSteps.Repeats} processes.");
        if (options.JsonPath is not null)
        {
            string path = Path.ChangeExtension(options.JsonPath, ".first-steps.json");
            FirstSteps.WriteJson(path, firstRows);
            output.WriteLine($"first-step rows written to {path}");
        }
    }

    private static void WriteHeader(TextWriter output, QuickOptions options, IReadOnlyList<BenchProfile> profiles)
    {
        string path = options.Path == KernelPath.Auto
            ? $"{KernelDispatch.Best} (KernelDispatch.Best)"
            : $"{options.Path} (forced with --path; TensorPrimitives still takes the widest accelerated)";
        output.WriteLine($"KernelGen quick: {CpuName()}, {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");
        output.WriteLine($"accelerated: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}; KernelGen and roofline path: {path}");
        output.WriteLine("buffers: 64-byte aligned; every contender of a row runs on the same parameter, gradient and state buffers");
        foreach (BenchProfile profile in profiles)
        {
            string baselines = profile.Naive is null || profile.TensorPrimitives is null ? "; no hand-written baselines yet" : "";
            output.WriteLine($"  {profile.Name} with {profile.Settings}: {profile.ArraysText} = {profile.BytesPerElement} B/element; {profile.Arithmetic}{baselines}");
        }
    }

    /// <summary>
    /// Builds the native peer when a C compiler is present and checks it against KernelGen for each
    /// profile that has one; returns the profiles whose peer agrees (the only ones it is timed for).
    /// </summary>
    private static IReadOnlySet<string> PreparePeer(TextWriter output, IReadOnlyList<BenchProfile> profiles, KernelPath path, out NativePeer? peer)
    {
        var agreed = new HashSet<string>();
        peer = NativePeer.TryBuild(out string reason);
        output.WriteLine($"native peer: {reason}");
        if (peer is null)
        {
            return agreed;
        }

        foreach (BenchProfile profile in profiles)
        {
            PeerAgreement? agreement = NativePeerCheck.Run(profile, peer, path);
            if (agreement is null)
            {
                continue;
            }

            if (agreement.Agrees)
            {
                agreed.Add(profile.Name);
                output.WriteLine($"  {profile.Name}: {agreement}");
            }
            else
            {
                output.WriteLine($"native peer check failed, not timed: {profile.Name}: {agreement}");
            }
        }

        return agreed;
    }

    private static bool CheckBaselines(TextWriter output, IReadOnlyList<BenchProfile> profiles, KernelPath path)
    {
        var problems = profiles.SelectMany(p => BaselineCheck.Run(p, path)).ToList();
        foreach (string problem in problems)
        {
            output.WriteLine($"baseline check failed: {problem}");
        }

        return problems.Count == 0;
    }

    /// <summary>The 1-, 5- and 15-minute load averages where the OS says them (Linux), else <c>unknown</c>: how shared the machine was.</summary>
    private static string LoadAverage()
    {
        const string loadAverage = "/proc/loadavg";
        return File.Exists(loadAverage) ? string.Join(' ', File.ReadAllText(loadAverage).Split(' ').Take(3)) : "unknown";
    }

    /// <summary>The CPU's model name where the OS says it (Linux), else the architecture.</summary>
    private static string CpuName()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            foreach (string line in File.ReadLines(cpuInfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':') + 1)..].Trim();
                }
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
