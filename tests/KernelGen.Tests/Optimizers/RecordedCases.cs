using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Conformance;
using KernelGen.Tests.Conformance;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// The pytorch_optimizer recordings of what surrounds an optimizer's step (tests/conformance/recorded/pytorch_optimizer:
/// lookahead, schedule-free-modes), replayed by the conformance runner on every path this machine runs.
/// </summary>
internal static class RecordedCases
{
    /// <summary>Theory data: each case of the recorded pytorch_optimizer folder <paramref name="folder"/> on every path.</summary>
    public static IEnumerable<object[]> OnEveryPath(string folder) =>
        from file in Directory.GetFiles(CaseFiles.Recorded("pytorch_optimizer", folder), "*.json").OrderBy(f => f, StringComparer.Ordinal)
        from path in KernelCases.SupportedPaths
        select new object[] { Path.GetFileNameWithoutExtension(file), path };

    /// <summary>Runs the case and asserts every compared value is within the conformance tolerance.</summary>
    public static void AssertPasses(string folder, string caseName, KernelPath path)
    {
        var runner = new ConformanceRunner(
            name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null,
            new ConformanceOptions { Path = path });

        CaseResult result = runner.RunFile(Path.Combine(CaseFiles.Recorded("pytorch_optimizer", folder), caseName + ".json"));

        Assert.True(result.Passed, $"{result} (path {path})");
    }
}
