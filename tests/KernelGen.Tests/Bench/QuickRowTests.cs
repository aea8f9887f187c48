using System;
using System.IO;
using KernelGen.Bench.Baselines;
using KernelGen.Bench.Quick;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>How a quick-table row is computed and printed (never how fast anything is).</summary>
public class QuickRowTests
{
    [Theory]
    [InlineData("SGD", 20)]
    [InlineData("Adam", 28)]
    [InlineData("AdamW", 28)]
    public void MeasuresEveryContenderOnATinyTensor(string optimizer, int bytesPerElement)
    {
        BenchSubject subject = BenchSubject.Create(BenchProfiles.For(optimizer), 100);
        QuickRow row = QuickRunner.MeasureRow(subject, TimingPlan.Smoke);

        Assert.Equal(optimizer, row.Optimizer);
        Assert.Equal(100, row.Elements);
        Assert.Equal(KernelDispatch.Best.ToString(), row.Isa);
        Assert.Equal(bytesPerElement, row.BytesPerElement);
        Assert.True(row.KernelGenNsPerElement > 0);
        Assert.True(row.NaiveNsPerElement > 0);
        Assert.True(row.TensorPrimitivesNsPerElement > 0);
        Assert.True(row.RooflineNsPerElement > 0);
        Assert.Equal(0, row.AllocatedBytesPerStep);
        Assert.True(subject.KernelGen.Steps >= 6, "three warm-up steps, then three one-step samples");
    }

    [Fact]
    public void ForcedPathIsTheRowsIsa()
    {
        BenchSubject subject = BenchSubject.Create(BenchProfiles.For("AdamW"), 37, KernelPath.Scalar);
        Assert.Equal("Scalar", QuickRunner.MeasureRow(subject, TimingPlan.Smoke).Isa);
    }

    [Fact]
    public void RatiosComeFromTheNanosecondsPerElement()
    {
        var row = new QuickRow("AdamW", 1 << 20, "Vector512", 28, 0.2, 3.0, 0.9, 0.16, 0) { GccNsPerElement = 0.25 };
        Assert.Equal(15.0, row.SpeedupOverNaive!.Value, 9);
        Assert.Equal(0.8, row.OverGcc!.Value, 9);
        Assert.Null((row with { GccNsPerElement = null }).OverGcc);
        Assert.Equal(4.5, row.SpeedupOverTensorPrimitives!.Value, 9);
        Assert.Equal(1.25, row.OverRoofline!.Value, 9);
        Assert.Equal(140.0, row.KernelGenGigabytesPerSecond, 9);
        Assert.Null((row with { NaiveNsPerElement = null }).SpeedupOverNaive);
    }

    [Fact]
    public void TablePrintsOneAlignedLinePerRow()
    {
        var rows = new[]
        {
            new QuickRow("AdamW", 1 << 20, "Vector512", 28, 0.2, 3.0, 0.9, 0.16, 0) { GccNsPerElement = 0.25 },
            new QuickRow("SGD", 16 << 20, "Vector512", 20, 0.5, null, null, 0.5, 0),
        };
        var output = new StringWriter();
        QuickTable.Write(output, rows);
        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length); // header, rule, two rows
        Assert.StartsWith("optimizer", lines[0]);
        Assert.Contains(" gcc ", lines[0]);
        Assert.Contains(" x gcc ", lines[0]);
        Assert.Equal(new[] { "AdamW", "1 Mi", "Vector512", "28", "0.200", "3.000", "0.900", "0.160", "0.250", "15.00x", "4.50x", "1.25", "0.80", "140.0", "0" }, QuickTable.Cells(rows[0]));
        Assert.Equal(new[] { "-", "-" }, new[] { QuickTable.Cells(rows[1])[8], QuickTable.Cells(rows[1])[12] });
        Assert.Contains(" - ", lines[3]);
    }

    [Theory]
    [InlineData(4096, "4 Ki")]
    [InlineData(16 << 20, "16 Mi")]
    [InlineData(1000, "1000")]
    [InlineData(1536, "1536")]
    public void SizesPrintInBinaryUnits(int elements, string text) => Assert.Equal(text, QuickTable.SizeText(elements));

    [Fact]
    public void OptionsParsePathJsonSizesAndOptimizers()
    {
        QuickOptions? options = QuickOptions.Parse(new[] { "--path", "vector256", "--json", "out.json", "--sizes", "4Ki,1Mi,100", "--optimizers", "AdamW,SGD" }, out string? error);
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(KernelPath.Vector256, options.Path);
        Assert.Equal("out.json", options.JsonPath);
        Assert.Equal(new[] { 4096, 1 << 20, 100 }, options.Sizes);
        Assert.Equal(new[] { "AdamW", "SGD" }, options.Optimizers);
        Assert.Equal(QuickRunner.DefaultSizes, QuickOptions.Parse(Array.Empty<string>(), out _)!.Sizes);
    }

    [Theory]
    [InlineData("--path", "Vector1024")]
    [InlineData("--sizes", "4Gi")]
    [InlineData("--json")]
    [InlineData("--frobnicate", "1")]
    public void BadOptionsAreRefusedWithAReason(params string[] args)
    {
        Assert.Null(QuickOptions.Parse(args, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
