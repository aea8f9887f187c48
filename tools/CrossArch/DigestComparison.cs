using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace KernelGen.CrossArch;

/// <summary>
/// Compares the digest files of an x64 and an ARM64 run case by case: a line per case that is
/// not identical on both (a different digest, a failure on either machine, a case only one run
/// has), then <c>N cases, M identical on ARM64 and x64</c>.
/// </summary>
internal static class DigestComparison
{
    /// <returns>True when both runs have the same cases, at least one, and every one is identical.</returns>
    public static bool Compare(string x64File, string arm64File, TextWriter output)
    {
        Dictionary<string, string> x64 = Read(x64File), arm64 = Read(arm64File);
        IEnumerable<string> names = x64.Keys.Concat(arm64.Keys.Where(name => !x64.ContainsKey(name)));
        int count = 0, identical = 0;
        foreach (string name in names)
        {
            count++;
            if (!x64.TryGetValue(name, out string? a) || !arm64.TryGetValue(name, out string? b))
            {
                output.WriteLine($"{name}: only on {(a is null ? "ARM64" : "x64")}");
            }
            else if (a != b || !CaseRunner.IsDigest(a))
            {
                output.WriteLine($"{name}: x64 {a}, ARM64 {b}");
            }
            else
            {
                identical++;
            }
        }

        output.WriteLine($"{count} cases, {identical} identical on ARM64 and x64");
        return count > 0 && identical == count;
    }

    /// <summary>Reads <c>digest TAB name</c> lines; '#' lines are comments.</summary>
    private static Dictionary<string, string> Read(string file)
    {
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in File.ReadLines(file))
        {
            number++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int tab = line.IndexOf('\t');
            if (tab <= 0 || !digests.TryAdd(line[(tab + 1)..], line[..tab]))
            {
                throw new InvalidDataException($"{file}, line {number}: not 'digest<TAB>name' with a name not seen before: '{line}'.");
            }
        }

        return digests;
    }
}
