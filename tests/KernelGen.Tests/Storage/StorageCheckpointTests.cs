using System;
using System.IO;
using System.Linq;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>Checkpoints keep each tensor in its own type, load across types only where nothing is lost.</summary>
public class StorageCheckpointTests
{
    private static readonly CheckpointOptions WithParameters = new() { IncludeParameters = true };

    [Theory]
    [InlineData(StateStorage.BFloat16, StateStorage.BFloat16, "BF16", "BF16")]
    [InlineData(StateStorage.Float16, StateStorage.BFloat16, "F16", "BF16")]
    [InlineData(StateStorage.Float32, StateStorage.Float16, "F32", "F16")]
    public void EachTensorIsSavedInItsTypeAndResumesWithTheSameBits(StateStorage parameter, StateStorage state, string parameterDType, string stateDType)
    {
        StoredCase original = Stepped(parameter, state, steps: 2);
        byte[] saved = Save(original.Optimizer);
        SafetensorsHeader header = Header(saved);
        Assert.Equal(parameterDType, header.Tensors.Single(t => t.Name == "param.0").DType);
        Assert.Equal(stateDType, header.Tensors.Single(t => t.Name == "state.0.exp_avg").DType);
        Assert.Equal((long)StoredCase.Length * (state == StateStorage.Float32 ? 4 : 2), header.Tensors.Single(t => t.Name == "state.0.exp_avg_sq").ByteLength);

        // A fresh twin loads it and steps on with the bits of the original (stochastic rounding included: the step count is saved).
        StoredCase resumed = StoredCase.Create("AdamW", parameter, StateStorage.Float32, state, KernelPath.Auto, stochastic: true);
        Checkpoint.Load(resumed.Optimizer, new MemoryStream(saved), WithParameters);
        StoredCase.AssertSame(original, resumed, "after loading");
        foreach (StoredCase c in new[] { original, resumed })
        {
            c.SetGradient(2);
            c.Optimizer.Step();
        }

        StoredCase.AssertSame(original, resumed, "one step after loading");
    }

    [Fact]
    public void SixteenBitTensorsLoadIntoFloat32Exactly()
    {
        StoredCase original = Stepped(StateStorage.BFloat16, StateStorage.Float16, steps: 2);
        StoredCase widened = StoredCase.Create("AdamW", StateStorage.Float32, StateStorage.Float32, StateStorage.Float32, KernelPath.Auto, stochastic: false);
        Checkpoint.Load(widened.Optimizer, new MemoryStream(Save(original.Optimizer)), WithParameters);
        StoredCase.AssertSame(original, widened, "widened");
        Assert.Equal(2, widened.Tensor.Step);
    }

    [Theory]
    [InlineData(StateStorage.Float32, StateStorage.BFloat16)]
    [InlineData(StateStorage.BFloat16, StateStorage.Float16)]
    [InlineData(StateStorage.Float16, StateStorage.BFloat16)]
    public void LoadsThatWouldRoundAreRefusedAndChangeNothing(StateStorage saved, StateStorage target)
    {
        StoredCase original = Stepped(StateStorage.Float32, saved, steps: 1);
        StoredCase other = Stepped(StateStorage.Float32, target, steps: 3);
        float[] before = other.Widened(0);
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(other.Optimizer, new MemoryStream(Save(original.Optimizer)), WithParameters));
        Assert.Equal(CheckpointError.Mismatch, error.Error);
        Assert.Contains("would round", error.Message);
        Assert.Equal(before, other.Widened(0));
        Assert.Equal(3, other.Tensor.Step);
    }

    private static StoredCase Stepped(StateStorage parameter, StateStorage state, int steps)
    {
        StoredCase c = StoredCase.Create("AdamW", parameter, StateStorage.Float32, state, KernelPath.Auto, stochastic: true);
        for (int s = 0; s < steps; s++)
        {
            c.SetGradient(s);
            c.Optimizer.Step();
        }

        return c;
    }

    private static byte[] Save(Optimizer optimizer)
    {
        var stream = new MemoryStream();
        Checkpoint.Save(optimizer, stream, WithParameters);
        return stream.ToArray();
    }

    private static SafetensorsHeader Header(byte[] file)
    {
        int length = (int)BitConverter.ToUInt64(file, 0);
        return SafetensorsHeader.Parse(file.AsSpan(8, length).ToArray());
    }
}
