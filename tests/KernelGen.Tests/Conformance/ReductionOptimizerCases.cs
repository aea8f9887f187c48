using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// The pytorch_optimizer 3.9.0 cases of the optimizers with per-tensor reductions (Lamb, LARS,
/// NovoGrad), on every kernel path this machine accelerates: the three shared cases
/// (tests/conformance/pytorch_optimizer/{lamb,lars,novograd}.json) and the extra recordings of
/// their options and norm edges (tests/conformance/recorded/pytorch_optimizer/reductions).
/// Only these files: the other pytorch_optimizer cases belong to the element-wise optimizers.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class ReductionOptimizerCases
{
    private static readonly string[] Shared = { "lamb", "lars", "novograd" };

    private static readonly string ExtraFolder = CaseFiles.Recorded("pytorch_optimizer", "reductions");

    public static IEnumerable<object[]> SharedCases() => OnEveryPath(Shared);

    public static IEnumerable<object[]> ExtraCases() => OnEveryPath(ExtraNames());

    [Fact]
    public void EveryExtraRecordingIsCounted()
    {
        // record_pytorch_optimizer.py: 7 Lamb, 5 LARS and 3 NovoGrad settings.
        Assert.Equal(15, ExtraNames().Count());
    }

    [Theory]
    [MemberData(nameof(SharedCases))]
    public void MatchesPytorchOptimizer(string caseName, KernelPath path) =>
        AssertPasses(Path.Combine(CaseFiles.Root, "pytorch_optimizer", caseName + ".json"), path);

    [Theory]
    [MemberData(nameof(ExtraCases))]
    public void MatchesPytorchOptimizerInEveryOption(string caseName, KernelPath path) =>
        AssertPasses(Path.Combine(ExtraFolder, caseName + ".json"), path);

    private static void AssertPasses(string file, KernelPath path)
    {
        var runner = new ConformanceRunner(
            name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null,
            new ConformanceOptions { Path = path });

        CaseResult result = runner.RunFile(file);

        Assert.True(result.Passed, $"{result} (path {path})");
    }

    private static IEnumerable<string> ExtraNames() =>
        Directory.GetFiles(ExtraFolder, "*.json").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal)!;

    private static IEnumerable<object[]> OnEveryPath(IEnumerable<string> names) =>
        from name in names
        from path in Enum.GetValues<KernelPath>()
        // Auto is left out: it is one of the explicit paths, run under another name.
        where path != KernelPath.Auto && KernelDispatch.IsSupported(path)
        select new object[] { name, path };
}
