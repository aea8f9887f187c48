using System;
using System.Collections.Generic;
using System.IO;
using KernelGen.CrossArch;

// The cross-architecture check's program (eng/check-arm64.sh runs it; docs/neon.md explains it):
//   run [--digests FILE] [--write-checkpoints DIR] [--read-checkpoints DIR]
//       runs every case on every path this machine has and writes one digest per case (stdout
//       without --digests); writes this machine's checkpoint files for the other one to load;
//       adds the cases that continue from the other machine's checkpoint files.
//   checkpoints DIR
//       only writes this machine's checkpoint files.
//       Exit code 1 when a case failed on this machine (its paths differ, it differs from the
//       case it must equal, it threw): the log names it.
//   compare X64_DIGESTS ARM64_DIGESTS
//       a line per case not identical on both, then "N cases, M identical on ARM64 and x64";
//       exit code 1 unless every case is identical and both runs have the same cases.
// Exit code 2: a usage error, a file that cannot be read or written.
try
{
    return args switch
    {
        ["compare", string x64, string arm64] => DigestComparison.Compare(x64, arm64, Console.Out) ? 0 : 1,
        ["run", .. var options] => Run(Options.Parse(options)),
        ["checkpoints", string folder] => WriteCheckpoints(folder),
        _ => Usage($"unknown command '{string.Join(' ', args)}'"),
    };
}
catch (ArgumentException exception)
{
    return Usage(exception.Message);
}
catch (Exception exception) when (exception is IOException or InvalidDataException)
{
    Console.Error.WriteLine($"KernelGen.CrossArch: {exception.Message}");
    return 2;
}

static int Run(Options options)
{
    if (options.WriteCheckpoints is { } folder)
    {
        WriteCheckpoints(folder);
    }

    IReadOnlyList<CrossArchCase> cases = CaseCatalog.Build(options.ReadCheckpoints);
    int failures;
    if (options.Digests is { } file)
    {
        using var digests = new StreamWriter(file);
        failures = CaseRunner.Run(cases, digests, Console.Error);
    }
    else
    {
        failures = CaseRunner.Run(cases, Console.Out, Console.Error);
    }

    Console.Error.WriteLine($"helper threads stepped {ParallelCases.HelperItems} work items of the parallel cases");
    if (failures > 0)
    {
        Console.Error.WriteLine($"{failures} of {cases.Count} cases failed on this machine");
    }

    return failures > 0 ? 1 : 0;
}

static int WriteCheckpoints(string folder)
{
    Directory.CreateDirectory(folder);
    foreach (string optimizer in CaseCatalog.Optimizers())
    {
        CheckpointCases.Write(optimizer, folder);
    }

    return 0;
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"""
        KernelGen.CrossArch: {problem}
        usage: run [--digests FILE] [--write-checkpoints DIR] [--read-checkpoints DIR]
               checkpoints DIR
               compare X64_DIGESTS ARM64_DIGESTS
        """);
    return 2;
}

namespace KernelGen.CrossArch
{
    internal sealed record Options(string? Digests, string? WriteCheckpoints, string? ReadCheckpoints)
    {
        public static Options Parse(string[] arguments)
        {
            var options = new Options(null, null, null);
            for (int i = 0; i < arguments.Length; i++)
            {
                string Value() => i + 1 < arguments.Length ? arguments[++i] : throw new ArgumentException($"{arguments[i]} needs a value");
                options = arguments[i] switch
                {
                    "--digests" => options with { Digests = Value() },
                    "--write-checkpoints" => options with { WriteCheckpoints = Value() },
                    "--read-checkpoints" => options with { ReadCheckpoints = Value() },
                    _ => throw new ArgumentException($"unknown option '{arguments[i]}'"),
                };
            }

            return options;
        }
    }
}
