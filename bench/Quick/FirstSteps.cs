using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using KernelGen.Schedulers;
using KernelGen.Training;

namespace KernelGen.Bench.Quick;

/// <summary>
/// The first steps of a process, where the JIT used to cost a frame: for the whole-model
/// configurations, the time of the warm-ups (<see cref="Optimizer.Warm"/>, and the clipping's and
/// scheduler's), of the first step after them and the mean of steps 1 to 1,000, against the
/// steady state (the mean of 1,000 steps after half a second more of them, in the same process);
/// and without a warm-up, the first step (JIT included) and the same means. Against the first
/// step stand two steps once everything is compiled (the median of a few each): the step after the
/// same pause, whose memory, code and branch history went cold while the thread slept, and the
/// cold steady step, with no pause but the caches emptied by a sweep through more memory than the
/// last-level cache holds. No warm-up keeps the caches warm. The JIT's
/// state belongs to a process, so each is measured in a fresh one: quick starts itself with the
/// hidden arguments <c>quick --first-step-probe MODEL OPTIMIZER LOOP warm|cold PATH</c>, which
/// prints one line of figures.
/// </summary>
public static class FirstSteps
{
    /// <summary>The hidden first argument of quick that runs one probe.</summary>
    public const string ProbeArgument = "--first-step-probe";

    /// <summary>Steps timed one by one after the warm-up (or without one).</summary>
    public const int TimedSteps = 1000;

    /// <summary>Fresh processes per configuration: each figure is their median (one first step is one sample, which another process on the core can stretch).</summary>
    public const int Repeats = 3;

    private const string ProbePrefix = "probe:";

    private const int PauseMilliseconds = 200;

    /// <summary>Steps timed one at a time after a pause each, once settled (and as many after a cache sweep each).</summary>
    private const int PausedSteps = 5;

    /// <summary>
    /// The memory a cold steady step reads through first: 256 MiB, more than the last-level cache
    /// of any x64 or Arm64 part quick runs on (32 MiB on the Zen 3 of docs/performance.md).
    /// </summary>
    private const int SweepBytes = 256 << 20;

    /// <summary>Keeps the sweep's reads from being dropped.</summary>
    private static int s_sweepSink;

    /// <summary>One configuration in one fresh process.</summary>
    /// <param name="WarmMicroseconds">The warm-ups' time, or <see langword="null"/> for a process that did not warm up.</param>
    /// <param name="CompiledInFirstStep">The methods the JIT compiled during the first step (<see cref="System.Runtime.JitInfo.GetCompiledMethodCount"/>).</param>
    /// <param name="PausedMicroseconds">One step after the pause the first step follows, once settled (the median of <see cref="PausedSteps"/>).</param>
    /// <param name="ColdMicroseconds">The cold steady step: one step once settled, right after a sweep of <see cref="SweepBytes"/> emptied the caches, with no pause (the median of <see cref="PausedSteps"/>).</param>
    public sealed record Row(string Name, int Parameters, double? WarmMicroseconds, double FirstMicroseconds, double MeanMicroseconds, double SteadyMicroseconds, long CompiledInFirstStep, double PausedMicroseconds, double ColdMicroseconds)
    {
        public double FirstOverSteady => FirstMicroseconds / SteadyMicroseconds;

        /// <summary>The first step against the cold steady step: what the first step costs beyond its empty caches.</summary>
        public double FirstOverCold => FirstMicroseconds / ColdMicroseconds;

        public double MeanOverSteady => MeanMicroseconds / SteadyMicroseconds;
    }

    /// <summary>Runs <see cref="Repeats"/> probe processes per configuration of <paramref name="steadyRows"/>, warmed and cold.</summary>
    public static List<Row> Measure(IReadOnlyList<ModelSteps.Row> steadyRows, KernelPath path, TextWriter progress)
    {
        var rows = new List<Row>();
        foreach (ModelSteps.Row steady in steadyRows)
        {
            // The AdamW rows: the digits demo's recipe and the plain step, on both models.
            if (!steady.Name.StartsWith("AdamW/", StringComparison.Ordinal))
            {
                continue;
            }

            bool trainingLoop = steady.Name.EndsWith(ModelSteps.TrainingLoopSuffix, StringComparison.Ordinal);
            foreach (bool warm in new[] { true, false })
            {
                progress.Write($"\rfirst steps of {steady.Name} ({(warm ? "warmed" : "cold")}) ...        ");
                var runs = new List<Row>();
                for (int r = 0; r < Repeats; r++)
                {
                    runs.Add(RunProbe(steady, trainingLoop, warm, path));
                }

                rows.Add(Median(runs));
            }
        }

        progress.Write("\r" + new string(' ', 72) + "\r");
        return rows;
    }

    /// <summary>Each figure's median over the runs of one configuration.</summary>
    private static Row Median(List<Row> runs)
    {
        static double Middle(IEnumerable<double> values)
        {
            var sorted = new List<double>(values);
            sorted.Sort();
            return sorted[sorted.Count / 2];
        }

        Row first = runs[0];
        return first with
        {
            WarmMicroseconds = first.WarmMicroseconds is null ? null : Middle(runs.ConvertAll(r => r.WarmMicroseconds!.Value)),
            FirstMicroseconds = Middle(runs.ConvertAll(r => r.FirstMicroseconds)),
            MeanMicroseconds = Middle(runs.ConvertAll(r => r.MeanMicroseconds)),
            SteadyMicroseconds = Middle(runs.ConvertAll(r => r.SteadyMicroseconds)),
            CompiledInFirstStep = (long)Middle(runs.ConvertAll(r => (double)r.CompiledInFirstStep)),
            PausedMicroseconds = Middle(runs.ConvertAll(r => r.PausedMicroseconds)),
            ColdMicroseconds = Middle(runs.ConvertAll(r => r.ColdMicroseconds)),
        };
    }

    /// <summary>Writes the rows as a table.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine($"{"first steps, in fresh processes",-44} {"params",8} {"warm-up µs",11} {"first µs",10} {"mean 1-1000",12} {"steady µs",10} {"first/st",9} {"mean/st",8} {"JIT in 1st",10} {"paused µs",10} {"cold µs",8} {"first/cold",10}");
        output.WriteLine(new string('-', 160));
        foreach (Row row in rows)
        {
            string name = row.Name + (row.WarmMicroseconds is null ? " without Warm" : " after Warm");
            string warm = row.WarmMicroseconds is double w ? w.ToString("F0", CultureInfo.InvariantCulture) : "-";
            output.WriteLine($"{name,-44} {row.Parameters,8} {warm,11} {row.FirstMicroseconds,10:F1} {row.MeanMicroseconds,12:F2} {row.SteadyMicroseconds,10:F2} {row.FirstOverSteady,9:F2} {row.MeanOverSteady,8:F2} {row.CompiledInFirstStep,10} {row.PausedMicroseconds,10:F1} {row.ColdMicroseconds,8:F1} {row.FirstOverCold,10:F2}");
        }
    }

    /// <summary>Writes the rows as a JSON array to <paramref name="path"/>, replacing it.</summary>
    public static void WriteJson(string path, IReadOnlyList<Row> rows)
    {
        using FileStream stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        foreach (Row row in rows)
        {
            writer.WriteStartObject();
            writer.WriteString("configuration", row.Name);
            writer.WriteNumber("parameters", row.Parameters);
            writer.WriteBoolean("warmed", row.WarmMicroseconds is not null);
            if (row.WarmMicroseconds is double warm)
            {
                writer.WriteNumber("warm_microseconds", warm);
            }
            else
            {
                writer.WriteNull("warm_microseconds");
            }

            writer.WriteNumber("first_step_microseconds", row.FirstMicroseconds);
            writer.WriteNumber("mean_steps_1_1000_microseconds", row.MeanMicroseconds);
            writer.WriteNumber("steady_microseconds", row.SteadyMicroseconds);
            writer.WriteNumber("methods_compiled_in_first_step", row.CompiledInFirstStep);
            writer.WriteNumber("step_after_pause_microseconds", row.PausedMicroseconds);
            writer.WriteNumber("cold_steady_step_microseconds", row.ColdMicroseconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The probe's side: <c>MODEL OPTIMIZER LOOP warm|cold PATH</c>; prints one line and returns 0, or 2 for bad arguments.</summary>
    public static int Probe(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ModelSteps.Model? model = args.Count == 5 ? ModelSteps.Find(args[0]) : null;
        if (model is null || args[1] is not ("AdamW" or "SGD") || args[2] is not ("loop" or "step") || args[3] is not ("warm" or "cold")
            || !Enum.TryParse(args[4], out KernelPath path))
        {
            error.WriteLine($"usage: quick {ProbeArgument} MODEL AdamW|SGD loop|step warm|cold PATH");
            return 2;
        }

        Optimizer optimizer = ModelSteps.Create(args[1], path);
        var random = new Random(1);
        foreach (int length in model.Lengths)
        {
            optimizer.Add(ModelSteps.Filled(length, random, 1f).Memory, ModelSteps.Filled(length, random, 0.01f).Memory);
        }

        var schedule = new OneCycleLR(optimizer, 0.01, totalSteps: int.MaxValue / 2);
        bool loop = args[2] == "loop";
        double warmMicroseconds = double.NaN;
        if (args[3] == "warm")
        {
            long start = Stopwatch.GetTimestamp();
            optimizer.Warm();
            if (loop)
            {
                GradientClipping.Warm();
                schedule.Warm();
            }

            warmMicroseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        // Each timed window starts after the same pause (as a game's first frame comes some time after
        // its loading): on a busy machine the scheduler favours a thread that slept, and both windows
        // get that favour alike.
        Thread.Sleep(PauseMilliseconds);
        double mean = TimeSteps(optimizer, schedule, loop, TimedSteps, out double first, out long compiledInFirst);

        // This process's steady state: half a second of steps (and the runtime's background compiler
        // in the pause), then the mean of as many steps as were timed first.
        long settle = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(settle).TotalMilliseconds < 500)
        {
            TimeSteps(optimizer, schedule, loop, 100, out _, out _);
        }

        Thread.Sleep(PauseMilliseconds);

        double steady = TimeSteps(optimizer, schedule, loop, TimedSteps, out _, out _);

        // The first step's conditions without the first step: the same pause, then one step.
        var paused = new double[PausedSteps];
        for (int p = 0; p < PausedSteps; p++)
        {
            Thread.Sleep(PauseMilliseconds);
            TimeSteps(optimizer, schedule, loop, 1, out paused[p], out _);
        }

        Array.Sort(paused);

        // The cold steady step: no pause, the caches emptied by a sweep (its pages mapped beforehand).
        var sweep = new byte[SweepBytes];
        sweep.AsSpan().Fill(1);
        var cold = new double[PausedSteps];
        for (int c = 0; c < PausedSteps; c++)
        {
            Sweep(sweep);
            TimeSteps(optimizer, schedule, loop, 1, out cold[c], out _);
        }

        Array.Sort(cold);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ProbePrefix} {warmMicroseconds:R} {first:R} {mean:R} {steady:R} {compiledInFirst} {paused[PausedSteps / 2]:R} {cold[PausedSteps / 2]:R}"));
        return 0;
    }

    /// <summary>
    /// Times <paramref name="count"/> steps one by one and returns their mean in µs. Every call is
    /// inline here, and the method is compiled once, optimized, before its first step: the harness
    /// adds no JIT to a step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // no on-stack replacement in the middle of a window
    private static double TimeSteps(Optimizer optimizer, OneCycleLR schedule, bool loop, int count, out double first, out long compiledInFirst)
    {
        first = 0;
        compiledInFirst = 0;
        double total = 0;
        long compiledBefore = JitInfo.GetCompiledMethodCount(currentThread: true);
        for (int s = 0; s < count; s++)
        {
            long start = Stopwatch.GetTimestamp();
            if (loop)
            {
                GradientClipping.ClipGradNorm(optimizer, 1f);
                optimizer.Step();
                schedule.Step();
            }
            else
            {
                optimizer.Step();
            }

            double microseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (s == 0)
            {
                first = microseconds;
                compiledInFirst = JitInfo.GetCompiledMethodCount(currentThread: true) - compiledBefore;
            }

            total += microseconds;
        }

        return total / count;
    }

    /// <summary>Reads one byte of every cache line of <paramref name="memory"/>: the caches then hold it, not the step's memory or code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Sweep(byte[] memory)
    {
        int sum = 0;
        for (int i = 0; i < memory.Length; i += 64)
        {
            sum += memory[i];
        }

        s_sweepSink += sum;
    }

    private static Row RunProbe(ModelSteps.Row steady, bool trainingLoop, bool warm, KernelPath path)
    {
        string optimizer = steady.Name[..steady.Name.IndexOf('/')];
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

        // The probe runs as an application does by default, with tiered compilation (quick turns it off for itself).
        start.Environment["DOTNET_TieredCompilation"] = "1";
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The process's path is unknown: quick cannot start its probes.");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            // Run as `dotnet KernelGen.Bench.dll`: the probe is the same assembly under the same host.
            start.ArgumentList.Add(typeof(FirstSteps).Assembly.Location);
        }

        foreach (string argument in new[] { "quick", ProbeArgument, steady.Model.Name, optimizer, trainingLoop ? "loop" : "step", warm ? "warm" : "cold", path.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        foreach (string line in stdout.Split('\n'))
        {
            if (!line.StartsWith(ProbePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string[] figures = line[ProbePrefix.Length..].Trim().Split(' ');
            double warmMicroseconds = double.Parse(figures[0], CultureInfo.InvariantCulture);
            return new Row(steady.Name, steady.Model.Parameters, warm ? warmMicroseconds : null,
                double.Parse(figures[1], CultureInfo.InvariantCulture), double.Parse(figures[2], CultureInfo.InvariantCulture),
                double.Parse(figures[3], CultureInfo.InvariantCulture), long.Parse(figures[4], CultureInfo.InvariantCulture),
                double.Parse(figures[5], CultureInfo.InvariantCulture), double.Parse(figures[6], CultureInfo.InvariantCulture));
        }

        throw new InvalidOperationException($"The first-step probe exited with {process.ExitCode} and no figures: {stdout}{stderr}");
    }
}
