using System;
using System.IO;
using KernelGen;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

public sealed class ConformanceCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kernelgen-conformance-" + Guid.NewGuid().ToString("N"));

    public ConformanceCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "b"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Optimizer? OnlySgd(string name) => name == "SGD" ? new SgdDouble() : null;

    [Fact]
    public void PrintsOneLinePerCaseSortedByPathThenTheCounts()
    {
        File.WriteAllText(Path.Combine(_folder, "b", "a-pass.json"), CaseFiles.TinySgd().Replace("\"tiny\"", "\"tiny-pass\""));
        File.WriteAllText(Path.Combine(_folder, "z-broken.json"), "{ nope");
        File.WriteAllText(Path.Combine(_folder, "a-adam.json"), CaseFiles.TinySgd().Replace("\"SGD\"", "\"Adam\"").Replace("\"tiny\"", "\"tiny-adam\""));
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "not a case");
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = ConformanceCommand.Run(new[] { _folder }, OnlySgd, output, error);

        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("FAIL tiny-adam: unknown optimizer Adam", lines[0]);
        Assert.Equal("PASS tiny-pass", lines[1]);
        Assert.StartsWith("FAIL z-broken: malformed JSON", lines[2]);
        Assert.Equal("1 passed, 2 failed", lines[3]);
        Assert.Equal(1, exitCode);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void ExitsWithZeroWhenEverythingPasses()
    {
        var output = new StringWriter();

        int exitCode = ConformanceCommand.Run(new[] { "--path", "scalar", CaseFiles.Torch("sgd-plain") }, OnlySgd, output, new StringWriter());

        Assert.Equal($"PASS sgd-plain{Environment.NewLine}1 passed, 0 failed{Environment.NewLine}", output.ToString());
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void AMissingFolderIsAFailure()
    {
        var output = new StringWriter();
        string missing = Path.Combine(_folder, "missing");

        int exitCode = ConformanceCommand.Run(new[] { missing }, OnlySgd, output, new StringWriter());

        Assert.Equal($"FAIL {missing}: no such directory{Environment.NewLine}0 passed, 1 failed{Environment.NewLine}", output.ToString());
        Assert.Equal(1, exitCode);
    }

    [Theory]
    [InlineData]
    [InlineData("--path")]
    [InlineData("--path", "Vector1024", "dir")]
    public void ABadCommandLineIsAUsageError(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = ConformanceCommand.Run(args, OnlySgd, output, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: " + ConformanceCommand.Usage, error.ToString());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void TheClosingLineHasTheContractsFormat()
    {
        Assert.Equal("3 passed, 0 failed", ConformanceCommand.Summary(3, 0));
        Assert.Equal("0 passed, 12 failed", ConformanceCommand.Summary(0, 12));
    }
}
