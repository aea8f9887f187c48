using System.Linq;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

public sealed class CaseLoaderTests
{
    [Fact]
    public void LoadsAnOptimizerCaseWithItsShapes()
    {
        CaseLoadResult loaded = CaseLoader.LoadFile(CaseFiles.Torch("sgd-plain"));

        ConformanceCase c = Assert.IsType<ConformanceCase>(loaded.Case);
        Assert.Equal("sgd-plain", loaded.Name);
        Assert.Equal(CaseKind.Optimizer, c.Kind);
        Assert.Equal("SGD", c.OptimizerName);
        Assert.Equal(new HyperSetting("lr", 0.05), Assert.Single(c.Hyper));
        Assert.Equal(20, c.Steps);
        Assert.Equal(20, c.Grads.Length);
        Assert.Equal(20, c.Expected.Length);
        Assert.Equal(c.Params.Select(p => p.Length), c.Expected[19].Select(p => p.Length));
        Assert.Null(c.Scheduler);
        Assert.Null(c.ClipGradNorm);
    }

    [Fact]
    public void FloatsAreTheDoubleRoundedToFloat()
    {
        // The first value of sgd-plain's first tensor, as written in the file.
        ConformanceCase c = CaseLoader.LoadFile(CaseFiles.Torch("sgd-plain")).Case!;

        Assert.Equal((float)-0.21693940460681915, c.Params[0][0]);
    }

    [Fact]
    public void ArraysAndBooleansAreFlattened()
    {
        ConformanceCase c = CaseLoader.LoadFile(CaseFiles.Torch("adam-amsgrad")).Case!;

        Assert.Equal(
            new[] { new HyperSetting("lr", 0.01), new HyperSetting("betas[0]", 0.9), new HyperSetting("betas[1]", 0.99), new HyperSetting("eps", 1e-8), new HyperSetting("amsgrad", 1) },
            c.Hyper);
    }

    [Fact]
    public void ANullHyperParameterKeepsTheDefault()
    {
        ConformanceCase c = CaseLoader.Load(CaseFiles.TinySgd(hyper: "{\"lr\":0.5,\"foreach\":null}"), "tiny").Case!;

        Assert.Equal(new HyperSetting("lr", 0.5), Assert.Single(c.Hyper));
    }

    [Fact]
    public void ReadsSchedulerAndClipping()
    {
        ConformanceCase c = CaseLoader.LoadFile(CaseFiles.Torch("adamw-onecycle-clip")).Case!;

        Assert.Equal("OneCycleLR", c.Scheduler!.Name);
        Assert.Equal(0.01, c.Scheduler.Args.GetProperty("max_lr").GetDouble());
        Assert.Equal(new ClipGradNormSpec(1.0, 2.0), c.ClipGradNorm);
        Assert.Equal(c.Steps, c.Lrs!.Length);
    }

    [Fact]
    public void ReadsASchedulerCase()
    {
        ConformanceCase c = CaseLoader.LoadFile(CaseFiles.Torch("onecycle-momentum-adam")).Case!;

        Assert.Equal(CaseKind.Scheduler, c.Kind);
        Assert.Equal("Adam", c.OptimizerName);
        Assert.Equal(0.001, c.BaseLr);
        Assert.Equal(60, c.Steps);
        Assert.Equal(60, c.Momentums!.Length);
        Assert.Null(c.Metrics);
        Assert.Equal(new[] { "betas[0]", "betas[1]" }, c.Hyper.Select(h => h.Name));
    }

    [Fact]
    public void ReadsPythonsNonFiniteLiterals()
    {
        string json = "{\"name\":\"NaN cases\",\"optimizer\":\"SGD\",\"params\":[[NaN,Infinity,-Infinity]],\"grads\":[],\"expected\":[]}";

        CaseLoadResult loaded = CaseLoader.Load(json, "fallback");

        Assert.Equal("NaN cases", loaded.Name);
        float[] values = loaded.Case!.Params[0];
        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(float.PositiveInfinity, values[1]);
        Assert.Equal(float.NegativeInfinity, values[2]);
    }

    [Fact]
    public void ReadsDTypesAndRefusesAnUnknownStorageType()
    {
        const string start = "{\"optimizer\":\"SGD\",\"params\":[[1]],\"grads\":[],\"expected\":[],\"dtypes\":";
        CaseLoadResult loaded = CaseLoader.Load(start + "{\"param\":\"bfloat16\",\"grad\":\"float32\",\"state\":\"float16\"}}", "mixed");
        Assert.Equal(new CaseDTypes(StateStorage.BFloat16, StateStorage.Float32, StateStorage.Float16), loaded.Case!.DTypes);

        CaseLoadResult unknown = CaseLoader.Load(start + "{\"param\":\"float8\",\"grad\":\"float32\",\"state\":\"float32\"}}", "float8");
        Assert.Null(unknown.Case);
        Assert.Contains("unknown storage type \"float8\"", unknown.Error);
    }

    [Fact]
    public void EveryCaseLoads()
    {
        string[] files = System.IO.Directory.GetFiles(CaseFiles.Root, "*.json", System.IO.SearchOption.AllDirectories);

        // Copied: 52 optimizer and scheduler cases, 4 closure cases, 5 mixed-precision cases. Recorded:
        // 24 torch scheduler and clipping cases, 9 closure cases, 49 pytorch_optimizer option and
        // reduction cases, 5 Lookahead and 3 schedule-free mode cases.
        Assert.Equal(151, files.Length);
        Assert.All(files, file => Assert.Null(CaseLoader.LoadFile(file).Error));
    }
}
