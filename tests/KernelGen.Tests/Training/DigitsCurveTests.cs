using System;
using System.IO;
using System.Linq;
using KernelGen.Samples.Digits;
using Xunit;

namespace KernelGen.Tests.Training;

/// <summary>The digits demo's curves: one point per epoch, the last the final accuracy, drawn by <c>--plot</c>.</summary>
public class DigitsCurveTests
{
    [Fact]
    public void EveryEpochHasItsLossAndAccuracyAndThePlotIsAPng()
    {
        DigitsData data = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz"));
        var options = new Options(new[] { "AdamW", "SGD" }, Epochs: 4, Batch: 32, Seed: 1);
        Result[] results = options.Optimizers.Select(name => Trainer.Run(name, data, options, verbose: false)!).ToArray();
        foreach (Result result in results)
        {
            Assert.Equal(new[] { 1, 2, 3, 4 }, result.Curve.Select(point => point.Epoch));
            Assert.Equal(result.TestAccuracy, result.Curve[^1].TestAccuracy);
            Assert.True(result.Curve[^1].Loss < result.Curve[0].Loss, $"{result.Optimizer}: the loss did not fall");
        }

        string path = Path.Combine(Path.GetTempPath(), $"digits-curves-{Guid.NewGuid():N}.png");
        try
        {
            CurvePlot.Save(results, path);
            byte[] png = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
