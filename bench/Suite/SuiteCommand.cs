using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace KernelGen.Bench.Suite;

/// <summary>The BenchmarkDotNet suite: the switcher over every benchmark class in this assembly.</summary>
public static class SuiteCommand
{
    /// <summary>How the suite is started.</summary>
    public const string Usage = "(no command) or BenchmarkDotNet arguments, e.g. --filter '*\"AdamW\"*' [--job Dry]: the BenchmarkDotNet suite, every built-in optimizer, one job per ISA path";

    /// <summary>
    /// Runs the switcher with BenchmarkDotNet's own arguments; exit code 1 when a benchmark failed.
    /// A <c>--job</c> (<c>-j</c>) argument is taken here: BenchmarkDotNet would add it as a fifth
    /// job beside the ISA jobs, while what it should change is how each ISA job runs.
    /// </summary>
    public static int Run(string[] args)
    {
        (Job baseJob, string[] rest) = TakeBaseJob(args);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(SuiteCommand).Assembly).Run(rest, IsaJobsConfig.Create(baseJob));
        return summaries.Any(static s => s.HasCriticalValidationErrors || s.Reports.Any(static r => !r.Success)) ? 1 : 0;
    }

    /// <summary>Removes <c>--job NAME</c> from <paramref name="args"/> and returns the job it names (BenchmarkDotNet's names).</summary>
    public static (Job BaseJob, string[] Remaining) TakeBaseJob(string[] args)
    {
        var rest = new List<string>();
        Job baseJob = Job.Default;
        for (int i = 0; i < args.Length; i++)
        {
            Job? named = (args[i] is "--job" or "-j") && i + 1 < args.Length ? Named(args[i + 1]) : null;
            if (named is null)
            {
                rest.Add(args[i]);
                continue;
            }

            baseJob = named;
            i++;
        }

        return (baseJob, rest.ToArray());
    }

    private static Job? Named(string name) => name.ToLowerInvariant() switch
    {
        "default" => Job.Default,
        "dry" => Job.Dry,
        "short" => Job.ShortRun,
        "medium" => Job.MediumRun,
        "long" => Job.LongRun,
        "verylong" => Job.VeryLongRun,
        _ => null, // BenchmarkDotNet reports what it does not know.
    };
}
