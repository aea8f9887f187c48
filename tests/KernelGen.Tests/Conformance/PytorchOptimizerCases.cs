using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// Every pytorch_optimizer 3.9.0 case, on every kernel path this machine accelerates: the shared
/// cases (tests/conformance/pytorch_optimizer) and the extra recordings of every option branch
/// (tests/conformance/recorded/pytorch_optimizer/options). Lamb, LARS and
/// NovoGrad, the optimizers with per-tensor reductions, run in <see cref="ReductionOptimizerCases"/>
/// with their own extra recordings; <see cref="EveryCaseIsCounted"/> keeps the split honest.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class PytorchOptimizerCases
{
    private static readonly string[] NeedReductions = { "Lamb", "LARS", "NovoGrad" }; // run by ReductionOptimizerCases

    public static IEnumerable<object[]> Shared() => Select(Path.Combine(CaseFiles.Root, "pytorch_optimizer"), "*.json", runnable: true);

    private static readonly string ExtraFolder = CaseFiles.Recorded("pytorch_optimizer", "options");

    public static IEnumerable<object[]> Extra() => Select(ExtraFolder, "*.json", runnable: true);

    [Fact]
    public void EveryCaseIsCounted()
    {
        string[] shared = Shared().Select(c => (string)c[0]).Distinct().ToArray();
        string[] waiting = Select(Path.Combine(CaseFiles.Root, "pytorch_optimizer"), "*.json", runnable: false)
            .Select(c => (string)c[0]).Distinct().ToArray();

        // 11 shared cases: the 8 element-wise optimizers here, the 3 with reductions in ReductionOptimizerCases.
        Assert.Equal(8, shared.Length);
        Assert.Equal(new[] { "lamb", "lars", "novograd" }, waiting);

        // The recorded ones (record_pytorch_optimizer.py): 34 option settings of the eight optimizers.
        Assert.Equal(34, Extra().Select(c => (string)c[0]).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Shared))]
    public void MatchesPytorchOptimizer(string caseName, KernelPath path) =>
        AssertPasses(CaseFiles.PytorchOptimizer(caseName), path);

    [Theory]
    [MemberData(nameof(Extra))]
    public void MatchesPytorchOptimizerInEveryOption(string caseName, KernelPath path) =>
        AssertPasses(Path.Combine(ExtraFolder, caseName + ".json"), path);

    private static void AssertPasses(string file, KernelPath path)
    {
        // One extra case decays the learning rate with a torch scheduler.
        var runner = new ConformanceRunner(
            name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null,
            new ConformanceOptions { Path = path, Schedulers = TorchSchedulers.Create });

        CaseResult result = runner.RunFile(file);

        Assert.True(result.Passed, $"{result} (path {path})");
    }

    private static IEnumerable<object[]> Select(string folder, string pattern, bool runnable)
    {
        // Auto is left out: it is one of the explicit paths below, run under another name.
        KernelPath[] paths = Enum.GetValues<KernelPath>().Where(p => p != KernelPath.Auto && KernelDispatch.IsSupported(p)).ToArray();
        foreach (string file in Directory.GetFiles(folder, pattern).OrderBy(f => f, StringComparer.Ordinal))
        {
            // A case that does not load is kept: the theory then reports why.
            ConformanceCase? c = CaseLoader.LoadFile(file).Case;
            bool waits = c?.OptimizerName is { } name && NeedReductions.Contains(name, StringComparer.Ordinal);
            if (waits == runnable)
            {
                continue;
            }

            foreach (KernelPath path in paths)
            {
                yield return new object[] { Path.GetFileNameWithoutExtension(file), path };
            }
        }
    }
}
