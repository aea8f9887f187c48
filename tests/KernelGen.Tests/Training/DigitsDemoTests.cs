using System.IO;
using KernelGen.Samples.Digits;
using Xunit;

namespace KernelGen.Tests.Training;

/// <summary>The README's first command, run as a test: AdamW + OneCycleLR + clipping on the UCI digits.</summary>
[Collection(AllocationCountingCollection.Name)]
public class DigitsDemoTests
{
    [Fact]
    public void DefaultRecipeReaches95PercentWithZeroAllocationPerStep()
    {
        string path = Path.Combine(System.AppContext.BaseDirectory, "Data", "digits.csv.gz");
        DigitsData data = DigitsData.Load(path);
        Assert.Equal(1797, data.TrainCount + data.TestCount);

        var options = new Options(new[] { "AdamW" }, Epochs: 30, Batch: 32, Seed: 1);
        Result result = Trainer.Run("AdamW", data, options, verbose: false)!;
        Assert.True(result.TestAccuracy >= 0.95, $"test accuracy {result.TestAccuracy:P1}");

        if (result.BytesPerStep != 0)
        {
            // Run alone, the loop allocates nothing after its first epoch under every tiering and
            // ISA setting. The test runs after the parallel ones (AllocationCountingCollection);
            // a second run still tells a one-off count apart from an allocation in the optimizer's
            // step, which every run repeats; the message names each run's first allocating step and part.
            Result again = Trainer.Run("AdamW", data, options, verbose: false)!;
            Assert.True(again.BytesPerStep == 0,
                $"{result.BytesPerStep} and {again.BytesPerStep} bytes per step in two runs; first: {result.FirstAllocation}; then: {again.FirstAllocation}");
        }
    }
}
