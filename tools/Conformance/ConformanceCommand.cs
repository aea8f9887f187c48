using System;
using System.Collections.Generic;
using System.IO;

namespace KernelGen.Conformance;

/// <summary>
/// <c>dotnet run -c Release --project tools/Conformance -- [--path PATH] DIR [DIR ...]</c>: runs
/// every <c>*.json</c> case below the folders, one <c>PASS name</c> / <c>FAIL name: reason</c>
/// line each, then <c>N passed, M failed</c>. Exit code 0 only when nothing failed, 2 for a usage error.
/// </summary>
public static class ConformanceCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "dotnet run -c Release --project tools/Conformance -- [--path Auto|Scalar|Vector128|Vector256|Vector512] DIR [DIR ...]";

    /// <summary>Runs the command.</summary>
    /// <param name="args">The program's arguments.</param>
    /// <param name="optimizers">The optimizer factory (see <see cref="ConformanceRunner"/>).</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where usage errors go.</param>
    /// <param name="options">Scheduler and clipping seams; the path comes from <c>--path</c>.</param>
    public static int Run(IReadOnlyList<string> args, Func<string, Optimizer?> optimizers, TextWriter output, TextWriter error, ConformanceOptions? options = null)
    {
        KernelPath path = options?.Path ?? KernelPath.Auto;
        var roots = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--path")
            {
                if (i + 1 >= args.Count || !Enum.TryParse(args[i + 1], ignoreCase: true, out path) || !Enum.IsDefined(path))
                {
                    error.WriteLine($"--path takes one of Auto, Scalar, Vector128, Vector256, Vector512.{Environment.NewLine}usage: {Usage}");
                    return 2;
                }

                i++;
            }
            else
            {
                roots.Add(args[i]);
            }
        }

        if (roots.Count == 0)
        {
            error.WriteLine($"usage: {Usage}");
            return 2;
        }

        var runner = new ConformanceRunner(optimizers, new ConformanceOptions
        {
            Path = path,
            Schedulers = options?.Schedulers,
            Clipping = options?.Clipping,
        });

        var results = new List<CaseResult>();
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string root in roots)
        {
            string? problem = CollectCases(root, files);
            if (problem is not null)
            {
                results.Add(CaseResult.Fail(root, problem));
            }
        }

        foreach (string file in files)
        {
            results.Add(runner.RunFile(file));
        }

        int failed = 0;
        foreach (CaseResult result in results)
        {
            output.WriteLine(result.ToString());
            failed += result.Passed ? 0 : 1;
        }

        output.WriteLine(Summary(results.Count - failed, failed));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The closing line of a run.</summary>
    public static string Summary(int passed, int failed) => $"{passed} passed, {failed} failed";

    /// <summary>Adds the cases below <paramref name="root"/> (or the file itself); returns why it could not, if so.</summary>
    private static string? CollectCases(string root, SortedSet<string> files)
    {
        try
        {
            if (File.Exists(root))
            {
                files.Add(Path.GetFullPath(root));
                return null;
            }

            if (!Directory.Exists(root))
            {
                return "no such directory";
            }

            foreach (string file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories))
            {
                // The pattern also matches longer extensions on some platforms; keep exactly .json.
                if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                {
                    files.Add(Path.GetFullPath(file));
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot list {root}: {e.Message}";
        }
    }
}
