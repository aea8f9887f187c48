using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen;
using KernelGen.Conformance;
using KernelGen.Tests.Conformance;
using Xunit;

namespace KernelGen.Tests.Schedulers;

/// <summary>
/// Every torch case that needs a scheduler or clipping, through the bench's conformance runner
/// with the library's schedulers and clipping in its seams: the shared cases
/// (tests/conformance/torch) and the recorded ones (tests/conformance/recorded/torch/schedulers). Optimizer
/// cases run on every kernel path this machine accelerates. Cases whose optimizer is not built
/// in yet are left out, and <see cref="EveryCaseIsCounted"/> keeps that count honest.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class TorchSchedulerCases
{
    private static readonly string SharedFolder = Path.Combine(CaseFiles.Root, "torch");
    private static readonly string ExtraFolder = CaseFiles.Recorded("torch", "schedulers");

    public static IEnumerable<object[]> Cases() => Select(runnable: true);

    [Fact]
    public void EveryCaseIsCounted()
    {
        // Shared: 17 scheduler cases, 2 optimizer cases with a scheduler and clipping (SGD, AdamW).
        // Extra: 18 scheduler cases, 6 optimizer cases (SGD, Adam, AdamW).
        string[] running = Select(runnable: true).Select(c => (string)c[0]).Distinct().ToArray();
        string[] waiting = Select(runnable: false).Select(c => (string)c[0]).Distinct().ToArray();

        Assert.Equal(19, running.Count(name => name.StartsWith("torch/", StringComparison.Ordinal)));
        Assert.Equal(24, running.Count(name => name.StartsWith("extra/", StringComparison.Ordinal)));
        Assert.Empty(waiting);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorch(string caseName, KernelPath path)
    {
        var runner = new ConformanceRunner(
            name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null,
            new ConformanceOptions { Path = path, Schedulers = TorchSchedulers.Create, Clipping = TorchClipping.Create });

        CaseResult result = runner.RunFile(FileOf(caseName));

        Assert.True(result.Passed, $"{result} (path {path})");
    }

    private static string FileOf(string caseName)
    {
        string folder = caseName.StartsWith("torch/", StringComparison.Ordinal) ? SharedFolder : ExtraFolder;
        return Path.Combine(folder, caseName[(caseName.IndexOf('/') + 1)..] + ".json");
    }

    /// <summary>The scheduler and clipping cases whose optimizer is built in (or, with <paramref name="runnable"/> false, is not).</summary>
    private static IEnumerable<object[]> Select(bool runnable)
    {
        KernelPath[] paths = Enum.GetValues<KernelPath>().Where(p => p != KernelPath.Auto && KernelDispatch.IsSupported(p)).ToArray();
        foreach ((string prefix, string folder) in new[] { ("torch", SharedFolder), ("extra", ExtraFolder) })
        {
            foreach (string file in Directory.GetFiles(folder, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                // A case that does not load is kept: the theory then reports why.
                ConformanceCase? c = CaseLoader.LoadFile(file).Case;
                if (c is not null && c.Kind == CaseKind.Optimizer && c.Scheduler is null && c.ClipGradNorm is null)
                {
                    continue; // TorchOptimizerCases runs these.
                }

                string optimizer = c?.OptimizerName ?? "SGD";
                if (BuiltInOptimizers.TryCreate(optimizer, out _) != runnable)
                {
                    continue;
                }

                string name = $"{prefix}/{Path.GetFileNameWithoutExtension(file)}";
                if (c is { Kind: CaseKind.Scheduler })
                {
                    // A schedule does not depend on the kernel path.
                    yield return new object[] { name, KernelPath.Auto };
                    continue;
                }

                foreach (KernelPath path in paths)
                {
                    yield return new object[] { name, path };
                }
            }
        }
    }
}
