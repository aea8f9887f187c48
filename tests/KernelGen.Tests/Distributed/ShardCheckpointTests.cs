using System;
using System.IO;
using KernelGen.Distributed;
using KernelGen.Schedulers;
using Xunit;

namespace KernelGen.Tests.Distributed;

/// <summary>Shard checkpoints: merged into the single-process file, and resumed at other world sizes.</summary>
public sealed class ShardCheckpointTests : IDisposable
{
    private const int Steps = 8;
    private const int SaveAt = 4;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kernelgen-shards-" + Guid.NewGuid().ToString("N"));

    public ShardCheckpointTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CheckpointOptions Options => new() { IncludeParameters = true };

    [Theory]
    [InlineData("AdamW")]
    [InlineData("NAdam")]
    [InlineData("ASGD")]
    public void SavedAtTwoRanksMergesToTheSingleProcessFileAndResumesAtOneThreeAndFour(string name)
    {
        Func<Optimizer> create = () => ShardedOptimizerTests.Create(name);
        string single = Path.Combine(_folder, "single.safetensors");
        float[][] expected = ShardedTraining.OneProcess(create, Steps, afterStep: (o, step) =>
        {
            if (step == SaveAt)
            {
                Checkpoint.SaveFile(o, single, Options);
            }
        });

        string[] shards = { Path.Combine(_folder, "shard-0-of-2.safetensors"), Path.Combine(_folder, "shard-1-of-2.safetensors") };
        float[][][] ranks = ThreadRanks.Run(2, c => ShardedTraining.Rank(c, create, Steps, afterStep: (sharded, step) =>
        {
            if (step == SaveAt)
            {
                sharded.SaveShard(shards[c.Rank], Options);
            }
        }));
        ShardedOptimizerTests.AssertSameBits(expected, ranks[0]);

        string merged = Path.Combine(_folder, "merged.safetensors");
        ShardedOptimizer.MergeShards(create, ShardedTraining.Lengths, shards, merged, _ => Options);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(merged));

        // One process, the ordinary optimizer, from the merged file.
        float[][] atOne = ShardedTraining.OneProcess(create, Steps, beforeFirst: o => Checkpoint.LoadFile(o, merged, Options), firstStep: SaveAt);
        ShardedOptimizerTests.AssertSameBits(expected, atOne);

        // Four ranks from the two shards, three from the merged file: the pieces are cut anew.
        foreach ((int world, string[] files) in new[] { (4, shards), (3, new[] { merged }) })
        {
            float[][][] resumed = ThreadRanks.Run(world, c => ShardedTraining.Rank(c, create, Steps, beforeFirst: s => s.LoadShards(files, Options), firstStep: SaveAt));
            Assert.All(resumed, parameters => ShardedOptimizerTests.AssertSameBits(expected, parameters));
        }
    }

    [Fact]
    public void AParticipantIsSavedWithEveryShardAndRestoredOnce()
    {
        string[] shards = { Path.Combine(_folder, "s0.safetensors"), Path.Combine(_folder, "s1.safetensors") };
        ThreadRanks.Run(2, c =>
        {
            StepLR? schedule = null;
            return ShardedTraining.Rank(c, () => new SGD { LearningRate = 0.5f }, 3, beforeFirst: s => schedule = new StepLR(s.Inner, stepSize: 2, gamma: 0.5), afterStep: (s, step) =>
            {
                schedule!.Step();
                if (step == 3)
                {
                    s.SaveShard(shards[c.Rank], WithSchedule(schedule));
                }
            });
        });

        Memory<float>[] p = ShardedTraining.Memories(Array.ConvertAll(ShardedTraining.Lengths, n => new float[n]));
        Memory<float>[] g = ShardedTraining.Memories(Array.ConvertAll(ShardedTraining.Lengths, n => new float[n]));
        var resumed = new ShardedOptimizer(() => new SGD { LearningRate = 0.5f }, new SingleProcessCommunicator(), p, g);
        var restored = new StepLR(resumed.Inner, stepSize: 2, gamma: 0.5);
        resumed.LoadShards(shards, WithSchedule(restored));

        Assert.Equal(3, restored.LastEpoch);
        Assert.Equal(0.25f, ((SGD)resumed.Inner).LearningRate);
        Assert.All(resumed.Tensors, t => Assert.Equal(3, t.Step));

        static CheckpointOptions WithSchedule(StepLR schedule)
        {
            var options = Options;
            options.Participants["schedule"] = schedule;
            return options;
        }
    }

    [Fact]
    public void ShardsOfAnotherOptimizerAreRefusedAndChangeNothing()
    {
        string[] shards = { Path.Combine(_folder, "a.safetensors"), Path.Combine(_folder, "b.safetensors") };
        ThreadRanks.Run(2, c => ShardedTraining.Rank(c, () => new AdamW(), 2, afterStep: (s, step) => s.SaveShard(shards[c.Rank])));

        Memory<float>[] p = ShardedTraining.Memories(Array.ConvertAll(ShardedTraining.Lengths, n => new float[n]));
        Memory<float>[] g = ShardedTraining.Memories(Array.ConvertAll(ShardedTraining.Lengths, n => new float[n]));
        var sgd = new ShardedOptimizer(() => new SGD { Momentum = 0.9f }, new SingleProcessCommunicator(), p, g);
        Assert.Throws<CheckpointException>(() => sgd.LoadShards(shards));
        Assert.Equal(0, sgd.Tensors[0].Step);

        // Right type, wrong world size: the pieces' lengths do not match the files.
        var adam = new ShardedOptimizer(() => new AdamW(), new SingleProcessCommunicator(), p, g);
        Assert.Throws<CheckpointException>(() => adam.LoadShards(new[] { shards[0], shards[1], shards[1] }));
        Assert.All(adam.Inner.Tensors, t => Assert.Equal(0, t.Step));
    }
}
