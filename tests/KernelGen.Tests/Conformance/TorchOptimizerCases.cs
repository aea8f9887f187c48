using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// Every torch optimizer case (no scheduler, no clipping: those are not supported yet) whose
/// optimizer is built in, on every kernel path this machine accelerates. Cases of optimizers not
/// built in yet are not hidden: <c>tools/Conformance</c> lists each as a FAIL with its reason,
/// and <see cref="EveryOptimizerOnlyCaseIsCounted"/> keeps the count of what is left out honest.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class TorchOptimizerCases
{
    public static IEnumerable<object[]> Cases()
    {
        // Auto is left out: it is one of the explicit paths below, run under another name.
        KernelPath[] paths = Enum.GetValues<KernelPath>().Where(p => p != KernelPath.Auto && KernelDispatch.IsSupported(p)).ToArray();
        string folder = Path.Combine(CaseFiles.Root, "torch");
        foreach (string file in Directory.GetFiles(folder, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            // A case that does not load is kept: the theory then reports why.
            ConformanceCase? c = CaseLoader.LoadFile(file).Case;
            if (c is not null && (c.Kind != CaseKind.Optimizer || c.Scheduler is not null || c.ClipGradNorm is not null ||
                                  !BuiltInOptimizers.TryCreate(c.OptimizerName ?? "", out _)))
            {
                continue;
            }

            foreach (KernelPath path in paths)
            {
                yield return new object[] { Path.GetFileNameWithoutExtension(file), path };
            }
        }
    }

    [Fact]
    public void EveryOptimizerOnlyCaseIsCounted()
    {
        // Every optimizer-only torch case (22: all but the scheduler and clipping ones) runs above.
        int running = Cases().Select(c => (string)c[0]).Distinct().Count();
        Assert.Equal(22, running);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorch(string caseName, KernelPath path)
    {
        var runner = new ConformanceRunner(
            name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null,
            new ConformanceOptions { Path = path });

        CaseResult result = runner.RunFile(CaseFiles.Torch(caseName));

        Assert.True(result.Passed, $"{result} (path {path})");
    }
}
