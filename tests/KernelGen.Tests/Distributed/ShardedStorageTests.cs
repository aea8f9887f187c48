using System;
using System.IO;
using KernelGen.Distributed;
using Xunit;

namespace KernelGen.Tests.Distributed;

/// <summary>Sharded runs with 16-bit and 8-bit states: the bits of one process, in steps, shards and checkpoints.</summary>
public sealed class ShardedStorageTests : IDisposable
{
    private const int Steps = 6;
    private const int SaveAt = 3;

    /// <summary>
    /// Tensors above and below <see cref="Optimizer.MinimumQuantizedLength"/>, most of them not a
    /// multiple of the 256-element block; at 2, 3 and 4 ranks a cut falls inside a tensor with
    /// 8-bit states (at 4 inside the first, whose last block is partial).
    /// </summary>
    private static readonly int[] Lengths = { 14_057, 37, 5000, 3, 0, 300, 20_000, 4096, 1000, 9000 };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kernelgen-stored-shards-" + Guid.NewGuid().ToString("N"));

    public ShardedStorageTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CheckpointOptions Options => new() { IncludeParameters = true };

    public static TheoryData<string, StateStorage, int> OptimizersStoragesAndWorlds()
    {
        var data = new TheoryData<string, StateStorage, int>();
        foreach ((string name, StateStorage storage) in new[]
        {
            ("AdamW", StateStorage.BFloat16), ("AdamW", StateStorage.Float16), ("AdamW", StateStorage.Int8Blockwise),
            ("Lion", StateStorage.BFloat16), ("Lion", StateStorage.Int8Blockwise), ("AdaBelief", StateStorage.Int8Blockwise),
        })
        {
            foreach (int world in new[] { 1, 2, 3, 4 })
            {
                data.Add(name, storage, world);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OptimizersStoragesAndWorlds))]
    public void ShardedRanksEndWithTheParametersAndStatesOfOneProcess(string name, StateStorage storage, int world)
    {
        Func<Optimizer> create = () => Create(name, storage);
        float[][][]? states = null;
        float[][] expected = ShardedTraining.OneProcess(create, Steps, afterStep: (o, step) => states = step == Steps ? WholeStates(o) : states, lengths: Lengths);

        float[][][] ranks = ThreadRanks.Run(world, c => ShardedTraining.Rank(c, create, Steps, lengths: Lengths, afterStep: (sharded, step) =>
        {
            if (step == Steps)
            {
                CheckPieces(sharded, storage, states!);
            }
        }));
        Assert.All(ranks, parameters => ShardedOptimizerTests.AssertSameBits(expected, parameters));

        if (world > 1 && storage == StateStorage.Int8Blockwise)
        {
            // The test means something only if some cut splits a tensor with 8-bit states.
            var partition = new ShardPartition(Lengths, world, storage);
            bool cutInside = false;
            for (int r = 0; r < world; r++)
            {
                cutInside |= partition.Pieces(r).Count > 0 && partition.Pieces(r)[0] is { Offset: > 0 } first && Lengths[first.Tensor] >= Optimizer.MinimumQuantizedLength;
            }

            Assert.True(cutInside, $"no cut inside an 8-bit tensor at {world} ranks");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(64)]
    public void EightBitCutsKeepWholeBlocksAndQuantizedPieces(int world)
    {
        foreach (int[] lengths in new[] { Lengths, new[] { 8191 }, new[] { 8192 }, new[] { 100_003, 4096, 7, 65_536 }, new[] { 4095, 4097, 12_289 } })
        {
            var partition = new ShardPartition(lengths, world, StateStorage.Int8Blockwise);
            var covered = new long[lengths.Length];
            for (int r = 0; r < world; r++)
            {
                foreach (ShardPiece piece in partition.Pieces(r))
                {
                    Assert.Equal(covered[piece.Tensor], piece.Offset);
                    covered[piece.Tensor] += piece.Length;
                    if (lengths[piece.Tensor] >= Optimizer.MinimumQuantizedLength)
                    {
                        Assert.True(piece.Offset % 256 == 0, $"rank {r}: tensor {piece.Tensor} cut at {piece.Offset}");
                        Assert.True(piece.Length >= Optimizer.MinimumQuantizedLength || piece.Length == 0, $"rank {r}: a piece of {piece.Length} of tensor {piece.Tensor}");
                    }
                    else
                    {
                        Assert.True(piece.Offset % ShardPartition.AlignmentElements == 0);
                    }
                }
            }

            Assert.Equal(Array.ConvertAll(lengths, l => (long)l), covered);
        }

        // A tensor too short for two quantized pieces stays whole (the cut falls at or below an
        // even share, so here at its start); one of two minimum pieces is shared.
        var tooShort = new ShardPartition(new[] { 8191 }, 2, StateStorage.Int8Blockwise);
        Assert.Equal((0, 8191), (tooShort.Count(0), tooShort.Count(1)));
        Assert.Equal(4096, new ShardPartition(new[] { 8192 }, 2, StateStorage.Int8Blockwise).Count(0));

        // Between the two ends of an uncut tensor, the nearer to an even share: here its end.
        var nearer = new ShardPartition(new[] { 4096, 64, 640, 10 }, 2, StateStorage.Int8Blockwise);
        Assert.Equal((4096, 714), (nearer.Count(0), nearer.Count(1)));
    }

    [Theory]
    [InlineData(StateStorage.BFloat16, 2, 1)]
    [InlineData(StateStorage.BFloat16, 2, 4)]
    [InlineData(StateStorage.BFloat16, 3, 2)]
    [InlineData(StateStorage.Float16, 2, 4)]
    [InlineData(StateStorage.Int8Blockwise, 2, 1)]
    [InlineData(StateStorage.Int8Blockwise, 2, 4)]
    [InlineData(StateStorage.Int8Blockwise, 3, 2)]
    public void ShardsMergeToTheSingleProcessFileAndResumeAtAnotherWorldSize(StateStorage storage, int savedWorld, int resumedWorld)
    {
        Func<Optimizer> create = () => Create("AdamW", storage);
        string single = Path.Combine(_folder, "single.safetensors");
        float[][] expected = ShardedTraining.OneProcess(create, Steps, lengths: Lengths, afterStep: (o, step) =>
        {
            if (step == SaveAt)
            {
                Checkpoint.SaveFile(o, single, Options);
            }
        });

        string[] shards = SaveShards(create, savedWorld, expected);
        string merged = Path.Combine(_folder, "merged.safetensors");
        ShardedOptimizer.MergeShards(create, Lengths, shards, merged, _ => Options);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(merged));

        float[][][] resumed = ThreadRanks.Run(resumedWorld, c => ShardedTraining.Rank(c, create, Steps, lengths: Lengths, beforeFirst: s => s.LoadShards(shards, Options), firstStep: SaveAt));
        Assert.All(resumed, parameters => ShardedOptimizerTests.AssertSameBits(expected, parameters));

        float[][] fromMerged = ShardedTraining.OneProcess(create, Steps, lengths: Lengths, beforeFirst: o => Checkpoint.LoadFile(o, merged, Options), firstStep: SaveAt);
        ShardedOptimizerTests.AssertSameBits(expected, fromMerged);
    }

    [Fact]
    public void EightBitShardsLoadIntoFloatStatesDequantized()
    {
        Func<Optimizer> eightBit = () => Create("AdamW", StateStorage.Int8Blockwise);
        string[] shards = SaveShards(eightBit, 2, expected: null);
        string merged = Path.Combine(_folder, "merged-8bit.safetensors");
        ShardedOptimizer.MergeShards(eightBit, Lengths, shards, merged, _ => Options);

        // The shards were cut at whole blocks; float32 states read them with those cuts.
        float[][][] fromMerged = Array.Empty<float[][]>();
        ShardedTraining.OneProcess(() => Create("AdamW", StateStorage.Float32), SaveAt, lengths: Lengths, beforeFirst: o =>
        {
            Checkpoint.LoadFile(o, merged, Options);
            fromMerged = WholeStates(o);
        }, firstStep: SaveAt);

        ThreadRanks.Run(3, c => ShardedTraining.Rank(c, () => Create("AdamW", StateStorage.Float32), SaveAt, lengths: Lengths, firstStep: SaveAt, beforeFirst: s =>
        {
            s.LoadShards(shards, Options);
            CheckPieces(s, StateStorage.Float32, fromMerged);
        }));
    }

    [Theory]
    [InlineData(StateStorage.Int8Blockwise)]
    [InlineData(StateStorage.BFloat16)]
    public void FloatShardsIntoNarrowerStatesAreRefusedAndChangeNothing(StateStorage storage)
    {
        string[] shards = SaveShards(() => Create("AdamW", StateStorage.Float32), 2, expected: null);
        Memory<float>[] p = ShardedTraining.Memories(Array.ConvertAll(Lengths, n => new float[n]));
        Memory<float>[] g = ShardedTraining.Memories(Array.ConvertAll(Lengths, n => new float[n]));
        var narrow = new ShardedOptimizer(() => Create("AdamW", storage), new SingleProcessCommunicator(), p, g);
        var refused = Assert.Throws<CheckpointException>(() => narrow.LoadShards(shards, Options));
        Assert.Contains(storage == StateStorage.Int8Blockwise ? "quantizing would lose" : "would round values", refused.Message);
        Assert.All(narrow.Inner.Tensors, t => Assert.Equal(0, t.Step));
        Assert.All(p, parameter => Assert.All(parameter.ToArray(), value => Assert.Equal(0f, value)));
    }

    [Fact]
    public void StochasticRoundingOfShardStatesIsRefused()
    {
        Memory<float>[] p = { new float[64] }, g = { new float[64] };
        var sharded = new ShardedOptimizer(() => Create("AdamW", StateStorage.BFloat16), new SingleProcessCommunicator(), p, g);
        sharded.Inner.Tensors[0].StochasticRounding = true;
        var refused = Assert.Throws<NotSupportedException>(sharded.Step);
        Assert.Contains("StochasticRounding", refused.Message);
        Assert.Equal(0, sharded.Tensors[0].Step);
    }

    [Fact]
    public void EightBitStateMemoryPerRankFallsWithTheWorldSize()
    {
        long one = StateBytes(1)[0];
        long[] four = StateBytes(4);
        long sum = 0;
        foreach (long bytes in four)
        {
            sum += bytes;
        }

        // Two 8-bit states: a byte per element and a scale per block each. Every rank also holds
        // the same fixed part whatever its share: the float workspace of one group of blocks per
        // state (32 KiB) and the bookkeeping of its piece and quantization maps.
        const int elements = 1 << 20, fixedPart = 64 * 1024;
        long codes = 2L * (elements + elements / 256 * sizeof(float));
        Assert.True(one >= codes && one < codes + fixedPart, $"{one} bytes at one rank");
        Assert.All(four, bytes => Assert.True(bytes < codes / 4 + fixedPart, $"a rank holds {bytes} of {one}"));
        Assert.True(sum < codes + 4 * fixedPart, $"all ranks {sum} of {one}");

        static long[] StateBytes(int world) => ThreadRanks.Run(world, c =>
        {
            var (p, g) = (new float[elements], new float[elements]);
            var sharded = new ShardedOptimizer(() => Create("AdamW", StateStorage.Int8Blockwise), c, new Memory<float>[] { p }, new Memory<float>[] { g });
            sharded.ReduceGradients();
            sharded.Step(); // allocates the codes and scales
            return sharded.StateBytes;
        });
    }

    private static Optimizer Create(string name, StateStorage storage)
    {
        Optimizer optimizer = ShardedOptimizerTests.Create(name);
        optimizer.StateStorage = storage;
        return optimizer;
    }

    /// <summary>Runs <paramref name="world"/> ranks for <see cref="SaveAt"/> steps, saving each rank's shard then; checks their parameters against <paramref name="expected"/> when given.</summary>
    private string[] SaveShards(Func<Optimizer> create, int world, float[][]? expected)
    {
        string[] shards = new string[world];
        for (int r = 0; r < world; r++)
        {
            shards[r] = Path.Combine(_folder, $"shard-{r}-of-{world}-{Guid.NewGuid():N}.safetensors");
        }

        float[][][] ranks = ThreadRanks.Run(world, c => ShardedTraining.Rank(c, create, expected is null ? SaveAt : Steps, lengths: Lengths, afterStep: (sharded, step) =>
        {
            if (step == SaveAt)
            {
                sharded.SaveShard(shards[c.Rank], Options);
            }
        }));
        if (expected is not null)
        {
            Assert.All(ranks, parameters => ShardedOptimizerTests.AssertSameBits(expected, parameters));
        }

        return shards;
    }

    /// <summary>Every tensor's states as floats (16-bit widened, 8-bit dequantized).</summary>
    private static float[][][] WholeStates(Optimizer optimizer)
    {
        var states = new float[optimizer.Tensors.Count][][];
        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            states[tensor.Index] = new float[tensor.StateCount][];
            for (int s = 0; s < tensor.StateCount; s++)
            {
                states[tensor.Index][s] = new float[tensor.Length];
                tensor.CopyState(s, states[tensor.Index][s]);
            }
        }

        return states;
    }

    /// <summary>Checks that each piece of the shard stores its states as one process does and holds the same values.</summary>
    private static void CheckPieces(ShardedOptimizer sharded, StateStorage storage, float[][][] whole)
    {
        float[][][] shard = WholeStates(sharded.Inner);
        for (int i = 0; i < sharded.Pieces.Count; i++)
        {
            ShardPiece piece = sharded.Pieces[i];
            bool eightBit = storage == StateStorage.Int8Blockwise && Lengths[piece.Tensor] >= Optimizer.MinimumQuantizedLength;
            Assert.Equal(eightBit ? StateStorage.Int8Blockwise : storage == StateStorage.Int8Blockwise ? StateStorage.Float32 : storage, sharded.Inner.Tensors[i].StateStorage);
            for (int s = 0; s < shard[i].Length; s++)
            {
                ShardedOptimizerTests.AssertSameBits(whole[piece.Tensor][s].AsSpan(piece.Offset, piece.Length).ToArray(), shard[i][s]);
            }
        }
    }
}
