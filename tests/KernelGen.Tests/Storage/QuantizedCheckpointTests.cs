using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using KernelGen.Tests.Checkpoints;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>
/// Checkpoints of 8-bit states: codes as U8 and scales as F32; a resumed run continues with the
/// same bits; 8-bit into float32 dequantizes exactly; float32 into 8-bit is refused.
/// </summary>
public class QuantizedCheckpointTests
{
    // Quantized (a short last block), float32 (too small), quantized.
    private static readonly int[] Lengths = { 5_000, 300, 8_192 };

    private static (Optimizer Optimizer, float[][] Gradients) Trained(Func<Optimizer> create, StateStorage storage, int steps)
    {
        Optimizer optimizer = create();
        optimizer.StateStorage = storage;
        float[][] gradients = CheckpointFixtures.Register(optimizer, Lengths);
        for (int step = 1; step <= steps; step++)
        {
            CheckpointFixtures.Train(optimizer, gradients, step);
        }

        return (optimizer, gradients);
    }

    private static byte[] Save(Optimizer optimizer)
    {
        using var stream = new MemoryStream();
        Checkpoint.Save(optimizer, stream);
        return stream.ToArray();
    }

    private static float[] State(ParameterTensor tensor, int index)
    {
        var values = new float[tensor.Length];
        tensor.CopyState(index, values);
        return values;
    }

    [Theory]
    [InlineData("AdamW")]
    [InlineData("Adam amsgrad")]
    [InlineData("Lion")]
    [InlineData("AdaBelief")]
    public void AResumedRunContinuesWithTheSameBits(string name)
    {
        Func<Optimizer> create = name switch
        {
            "AdamW" => () => new AdamW { LearningRate = 0.01f },
            "Adam amsgrad" => () => new Adam { LearningRate = 0.01f, Amsgrad = true },
            "Lion" => () => new Lion { LearningRate = 0.001f },
            _ => () => new AdaBelief { LearningRate = 0.01f },
        };
        (Optimizer original, float[][] gradients) = Trained(create, StateStorage.Int8Blockwise, 5);
        byte[] file = Save(original);

        Optimizer resumed = create();
        resumed.StateStorage = StateStorage.Int8Blockwise;
        float[][] resumedGradients = CheckpointFixtures.Register(resumed, Lengths);
        for (int t = 0; t < Lengths.Length; t++)
        {
            original.Tensors[t].Parameter.Span.CopyTo(resumed.Tensors[t].Parameter.Span);
        }

        Checkpoint.Load(resumed, new MemoryStream(file));
        for (int step = 6; step <= 10; step++)
        {
            CheckpointFixtures.Train(original, gradients, step);
            CheckpointFixtures.Train(resumed, resumedGradients, step);
        }

        for (int t = 0; t < Lengths.Length; t++)
        {
            Assert.True(original.Tensors[t].Parameter.Span.SequenceEqual(resumed.Tensors[t].Parameter.Span), $"tensor {t}'s parameters differ");
            Assert.Equal(original.Tensors[t].StateBytes, resumed.Tensors[t].StateBytes);
            for (int i = 0; i < original.Tensors[t].StateCount; i++)
            {
                Assert.True(State(original.Tensors[t], i).SequenceEqual(State(resumed.Tensors[t], i)), $"tensor {t}'s state {i} differs");
            }
        }

        // The same state saves to the same bytes.
        Assert.Equal(Save(original), Save(resumed));
    }

    [Fact]
    public void CodesAreSavedAsU8AndScalesAsF32NextToFloat32StatesOfSmallTensors()
    {
        (Optimizer optimizer, _) = Trained(() => new AdamW(), StateStorage.Int8Blockwise, 3);
        byte[] file = Save(optimizer);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        SafetensorsHeader header = SafetensorsHeader.Parse(file.AsSpan(8, headerLength));
        TensorEntry Entry(string name) => header.Tensors.Single(e => e.Name == name);

        Assert.Equal(("U8", 5_000L), (Entry("state.0.exp_avg").DType, Entry("state.0.exp_avg").Shape.Single()));
        Assert.Equal(("F32", 20L), (Entry("state.0.exp_avg_absmax").DType, Entry("state.0.exp_avg_absmax").Shape.Single()));
        Assert.Equal(("F32", 300L), (Entry("state.1.exp_avg_sq").DType, Entry("state.1.exp_avg_sq").Shape.Single()));
        Assert.Equal("U8", Entry("state.2.max_exp_avg_sq").DType);
        Assert.DoesNotContain(header.Tensors, e => e.Name == "state.1.exp_avg_absmax");

        // What the file holds is what the optimizer holds: codes indexing the signed map times the block's scale.
        long data = 8 + headerLength;
        TensorEntry codes = Entry("state.0.exp_avg"), scales = Entry("state.0.exp_avg_absmax");
        float[] expected = State(optimizer.Tensors[0], 0);
        for (int i = 0; i < 5_000; i += 97)
        {
            byte code = file[data + codes.Begin + i];
            float scale = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(data + scales.Begin + 4 * (i / 256))));
            Assert.Equal(expected[i], DynamicQuantizationMap.Signed.Values[code] * scale);
        }

        // Every F32 tensor is 4-byte aligned in the file: the codes come last.
        Assert.All(header.Tensors.Where(e => e.DType == "F32"), e => Assert.Equal(0, (data + e.Begin) % 4));
    }

    [Fact]
    public void AnEightBitCheckpointLoadsIntoFloat32StatesAsItsExactDequantization()
    {
        (Optimizer quantized, _) = Trained(() => new AdamW { LearningRate = 0.01f }, StateStorage.Int8Blockwise, 4);
        var target = new AdamW();
        CheckpointFixtures.Register(target, Lengths);
        Checkpoint.Load(target, new MemoryStream(Save(quantized)));
        for (int t = 0; t < Lengths.Length; t++)
        {
            Assert.Equal(StateStorage.Float32, target.Tensors[t].StateStorage);
            for (int i = 0; i < 3; i++)
            {
                Assert.True(State(quantized.Tensors[t], i).SequenceEqual(target.Tensors[t].State(i).ToArray()), $"tensor {t}'s state {i} differs");
            }
        }

        Assert.Equal(4, target.Tensors[0].Step);
        Assert.Equal(0.01f, target.LearningRate);
    }

    [Fact]
    public void AFloat32CheckpointIsRefusedByEightBitStatesAndChangesNothing()
    {
        (Optimizer full, _) = Trained(() => new AdamW(), StateStorage.Float32, 2);
        (Optimizer quantized, _) = Trained(() => new AdamW(), StateStorage.Int8Blockwise, 1);
        byte[] before = Save(quantized);
        CheckpointException e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(quantized, new MemoryStream(Save(full))));
        Assert.Equal(CheckpointError.Mismatch, e.Error);
        Assert.Contains("'state.0.exp_avg' holds float32 values in the checkpoint but the target stores that state in 8 bits", e.Message);
        Assert.DoesNotContain("exp_avg_absmax' is missing", e.Message);
        Assert.Equal(before, Save(quantized));
    }

    [Fact]
    public void EightBitAndBFloat16StatesRefuseEachOthersCheckpointsAndChangeNothing()
    {
        (Optimizer quantized, _) = Trained(() => new AdamW(), StateStorage.Int8Blockwise, 2);
        (Optimizer bfloat, _) = Trained(() => new AdamW(), StateStorage.BFloat16, 2);
        byte[] quantizedBefore = Save(quantized), bfloatBefore = Save(bfloat);

        // Codes would have to be dequantized and rounded again to bfloat16; bfloat16 values quantized.
        CheckpointException intoBFloat = Assert.Throws<CheckpointException>(() => Checkpoint.Load(bfloat, new MemoryStream(quantizedBefore)));
        Assert.Equal(CheckpointError.Mismatch, intoBFloat.Error);
        Assert.Contains("'state.0.exp_avg' is U8 [5000] in the checkpoint but BF16 [5000] in the target", intoBFloat.Message);
        CheckpointException intoCodes = Assert.Throws<CheckpointException>(() => Checkpoint.Load(quantized, new MemoryStream(bfloatBefore)));
        Assert.Equal(CheckpointError.Mismatch, intoCodes.Error);
        Assert.Contains("'state.0.exp_avg'", intoCodes.Message);

        Assert.Equal(bfloatBefore, Save(bfloat));
        Assert.Equal(quantizedBefore, Save(quantized));
    }
}
