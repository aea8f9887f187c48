using System.IO;
using KernelGen.Samples.Digits;
using Xunit;

namespace KernelGen.Tests.Training;

/// <summary>The README's first command, run as a test: AdamW + OneCycleLR + clipping on the UCI digits.</summary>
public class DigitsDemoTests
{
    [Fact]
    public void DefaultRecipeReaches95PercentWithZeroAllocationPerStep()
    {
        string path = Path.Combine(System.AppContext.BaseDirectory, "Data", "digits.csv.gz");
        DigitsData data = DigitsData.Load(path);
        Assert.Equal(1797, data.TrainCount + data.TestCount);

        Result result = Trainer.Run("AdamW", data, new Options(new[] { "AdamW" }, Epochs: 30, Batch: 32, Seed: 1), verbose: false)!;

        Assert.True(result.TestAccuracy >= 0.95, $"test accuracy {result.TestAccuracy:P1}");
        Assert.Equal(0, result.BytesPerStep);
    }
}
