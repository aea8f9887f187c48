using System.Linq;
using KernelGen.Bench.Quick;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>The whole-model rows of quick: the models they claim, named as the JSON contract says.</summary>
public class ModelStepsTests
{
    [Fact]
    public void ModelsHaveTheShapesTheRowsName()
    {
        Assert.Equal(new[] { 4096, 64, 640, 10 }, ModelSteps.Mlp.Lengths);
        Assert.Equal(4810, ModelSteps.Mlp.Parameters);
        Assert.Equal(100, ModelSteps.Mixed100.Lengths.Length);
        Assert.Equal(10, ModelSteps.Mixed100.Lengths.Min());
        Assert.Equal(20000, ModelSteps.Mixed100.Lengths.Max());
        Assert.InRange(ModelSteps.Mixed100.Parameters, 200_000, 300_000);
    }

    [Fact]
    public void ARowBecomesAQuickRowPerParameter()
    {
        var row = new ModelSteps.Row("AdamW/mlp-64-64-10", ModelSteps.Mlp, 28, MicrosecondsPerStep: 4.81, SingleTensorMicroseconds: 4.0, 0, "Vector512");
        QuickRow quick = row.ToQuickRow();
        Assert.Equal("AdamW/mlp-64-64-10", quick.Optimizer);
        Assert.Equal(4810, quick.Elements);
        Assert.Equal(1.0, quick.KernelGenNsPerElement, 9);
        Assert.Null(quick.NaiveNsPerElement);
        Assert.Equal(4.81 / 4.0, row.OverSingleTensors, 9);
    }
}
