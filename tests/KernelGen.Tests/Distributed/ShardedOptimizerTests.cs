using System;
using System.Collections.Generic;
using System.IO;
using KernelGen.Distributed;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Tests.Distributed;

public class ShardedOptimizerTests
{
    private const int Steps = 7;

    public static TheoryData<string, int> OptimizersAndWorlds()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "AdamW", "SGD", "NAdam", "ASGD", "Adagrad", "Lion" })
        {
            foreach (int world in new[] { 1, 2, 3, 4 })
            {
                data.Add(name, world);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OptimizersAndWorlds))]
    public void ShardedRanksEndWithTheBitsOfOneProcess(string name, int world)
    {
        Func<Optimizer> create = () => Create(name);
        float[][] expected = ShardedTraining.OneProcess(create, Steps);
        float[][][] ranks = ThreadRanks.Run(world, c => ShardedTraining.Rank(c, create, Steps));
        foreach (float[][] parameters in ranks)
        {
            AssertSameBits(expected, parameters);
        }
    }

    [Fact]
    public void ShardStateHoldsTheSingleProcessStateOfItsElements()
    {
        var reference = new List<float[][]>();
        ShardedTraining.OneProcess(() => Create("AdamW"), Steps, afterStep: (o, step) =>
        {
            if (step == Steps)
            {
                foreach (ParameterTensor tensor in o.Tensors)
                {
                    reference.Add(new[] { tensor.State(0).ToArray(), tensor.State(1).ToArray() });
                }
            }
        });

        ThreadRanks.Run(3, c =>
        {
            ShardedTraining.Rank(c, () => Create("AdamW"), Steps, afterStep: (sharded, step) =>
            {
                if (step != Steps)
                {
                    return;
                }

                for (int i = 0; i < sharded.Pieces.Count; i++)
                {
                    ShardPiece piece = sharded.Pieces[i];
                    ParameterTensor shard = sharded.Inner.Tensors[i];
                    Assert.Equal(Steps, shard.Step);
                    for (int s = 0; s < 2; s++)
                    {
                        AssertSameBits(reference[piece.Tensor][s].AsSpan(piece.Offset, piece.Length).ToArray(), shard.State(s).ToArray());
                    }
                }
            });
            return 0;
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(200)]
    public void PartitionCoversEveryElementOnceInAlignedContiguousShards(int world)
    {
        foreach (int[] lengths in new[] { ShardedTraining.Lengths, new[] { 1 }, new[] { 4096 }, new[] { 17, 0, 33, 100_000, 5 }, Array.Empty<int>() })
        {
            var partition = new ShardPartition(lengths, world);
            var seen = new int[lengths.Length][];
            for (int t = 0; t < lengths.Length; t++)
            {
                seen[t] = new int[lengths[t]];
            }

            long expectedStart = 0;
            var emptyTensorsSeen = 0;
            for (int r = 0; r < world; r++)
            {
                Assert.Equal(expectedStart, partition.Start(r));
                long flat = partition.Start(r);
                foreach (ShardPiece piece in partition.Pieces(r))
                {
                    // Contiguous: each piece continues where the last ended, in flat numbering.
                    Assert.Equal(flat, partition.FlatIndex(piece.Tensor, piece.Offset));
                    Assert.True(piece.Offset % ShardPartition.AlignmentElements == 0, $"rank {r}: tensor {piece.Tensor} cut at {piece.Offset}");
                    emptyTensorsSeen += lengths[piece.Tensor] == 0 ? 1 : 0;
                    for (int i = piece.Offset; i < piece.Offset + piece.Length; i++)
                    {
                        seen[piece.Tensor][i]++;
                    }

                    flat += piece.Length;
                }

                expectedStart = partition.Start(r + 1);
                Assert.Equal(expectedStart, flat);

                // No shard is more than one alignment step per tensor short of an even share.
                Assert.True(partition.Count(r) <= (partition.TotalElements + world - 1) / world + ShardPartition.AlignmentElements * (lengths.Length + 1));
            }

            Assert.Equal(partition.TotalElements, expectedStart);
            Assert.All(seen, counts => Assert.All(counts, c => Assert.Equal(1, c)));
            Assert.Equal(Array.FindAll(lengths, l => l == 0).Length, emptyTensorsSeen);
        }
    }

    [Fact]
    public void StateMemoryPerRankFallsWithTheWorldSize()
    {
        long one = ThreadRanks.Run(1, c => StateBytes(c))[0];
        long[] four = ThreadRanks.Run(4, c => StateBytes(c));
        long largest = 0, sum = 0;
        foreach (long bytes in four)
        {
            largest = Math.Max(largest, bytes);
            sum += bytes;
        }

        // AdamW keeps two floats per element; each rank's share is a quarter, plus per-piece overhead
        // (the tensor objects and their buffer descriptors, a few hundred bytes each).
        const int overhead = 4096;
        Assert.True(one >= 2L * sizeof(float) * ShardedTraining.Total(), $"{one} bytes at one rank");
        Assert.True(largest < one / 4 + overhead, $"largest rank {largest} of {one}");
        Assert.True(sum < one + 4 * overhead, $"all ranks {sum} of {one}");

        static long StateBytes(ICommunicator c)
        {
            var (p, g) = (new float[1 << 16], new float[1 << 16]);
            return new ShardedOptimizer(() => new AdamW(), c, new Memory<float>[] { p }, new Memory<float>[] { g }).StateBytes;
        }
    }

    [Fact]
    public void ANonFiniteGradientInOneShardSkipsTheStepOnEveryRank()
    {
        var results = ThreadRanks.Run(2, c =>
        {
            var p = new float[][] { new float[100], new float[300] };
            var g = new float[][] { new float[100], new float[300] };
            var sharded = new ShardedOptimizer(() => new AdamW { NonFiniteGradients = NonFiniteGradientPolicy.Skip }, c, ShardedTraining.Memories(p), ShardedTraining.Memories(g));
            g[1][299] = c.Rank == 1 ? float.NaN : 1f; // rank 1's shard holds the end
            g[0][0] = 1f;
            sharded.ReduceGradients();
            sharded.Step();
            return (sharded.Inner.LastStepSkipped, sharded.Inner.SkippedSteps, p[0][0], sharded.Tensors[0].Step);
        });

        Assert.All(results, r => Assert.Equal((true, 1, 0f, 0), r));
    }

    [Fact]
    public void ThrowNamesTheWholeTensorAndElementOnEveryRank()
    {
        var inner = Assert.Throws<NonFiniteGradientException>(() => ThreadRanks.Run(2, c =>
        {
            var p = new float[][] { new float[100], new float[300] };
            var g = new float[][] { new float[100], new float[300] };
            var sharded = new ShardedOptimizer(() => new SGD { NonFiniteGradients = NonFiniteGradientPolicy.Throw }, c, ShardedTraining.Memories(p), ShardedTraining.Memories(g));
            g[1][250] = float.PositiveInfinity;
            sharded.ReduceGradients();
            sharded.Step();
            return 0;
        }));
        Assert.Equal(1, inner.Tensor);
        Assert.Equal(250, inner.Element);
    }

    [Theory]
    [InlineData("Lamb")]
    [InlineData("LARS")]
    [InlineData("NovoGrad")]
    [InlineData("ScheduleFreeAdamW")]
    public void OptimizersThatNeedWholeTensorsAreRefused(string name)
    {
        var ex = Assert.Throws<NotSupportedException>(() => new ShardedOptimizer(() => Create(name), new SingleProcessCommunicator(), new Memory<float>[] { new float[4] }, new Memory<float>[] { new float[4] }));
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void AdanWithGlobalClippingIsRefusedAtTheStep()
    {
        var sharded = new ShardedOptimizer(() => new Adan(), new SingleProcessCommunicator(), new Memory<float>[] { new float[4] }, new Memory<float>[] { new float[4] });
        ((Adan)sharded.Inner).MaxGradNorm = 1f;
        Assert.Throws<NotSupportedException>(sharded.Step);
    }

    [Fact]
    public void MicroBatchesMustBeSharedEquallyAndCollectedCompletely()
    {
        Memory<float>[] p = { new float[4] }, g = { new float[4] };
        Assert.Throws<ArgumentException>(() => ThreadRanks.Run(2, c => new ShardedOptimizer(() => new SGD(), c, p, g, microBatches: 3)));
        var sharded = new ShardedOptimizer(() => new SGD(), new SingleProcessCommunicator(), p, g, microBatches: 2);
        sharded.CollectMicroBatch();
        Assert.Throws<InvalidOperationException>(sharded.ReduceGradients);
        sharded.CollectMicroBatch();
        Assert.Throws<InvalidOperationException>(sharded.CollectMicroBatch);
        sharded.ReduceGradients();
    }

    [Fact]
    public void OrderedSumAddsBlocksFirstToLast()
    {
        // 1e8 + 1 - 1e8 is 0 in float, 1e8 - 1e8 + 1 is 1: the order shows.
        float[] blocks = { 1e8f, 1f, -1e8f };
        var result = new float[1];
        OrderedSum.Sum(blocks, 3, result, GradientReduction.Sum);
        Assert.Equal(0f, result[0]);
        OrderedSum.Sum(new[] { 1e8f, -1e8f, 1f }, 3, result, GradientReduction.Sum);
        Assert.Equal(1f, result[0]);
        OrderedSum.Sum(new[] { 1f, 2f, 4f }, 3, result, GradientReduction.Mean);
        Assert.Equal(7f / 3f, result[0]);
    }

    internal static Optimizer Create(string name)
    {
        Assert.True(BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer), name);
        if (name == "SGD")
        {
            optimizer!.TrySetHyperparameter("momentum", 0.9);
            optimizer.TrySetHyperparameter("nesterov", 1);
        }

        return optimizer!;
    }

    internal static void AssertSameBits(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
        {
            AssertSameBits(expected[t], actual[t]);
        }
    }

    internal static void AssertSameBits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(SameBits.Of(expected[i], actual[i]), $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
