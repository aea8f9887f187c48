using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Testing;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// <see cref="Optimizer.MaxDegreeOfParallelism"/>: tensors cut into chunks, and runs of small
/// tensors, stepped by several threads give the bits of the single-threaded step, for every
/// optimizer on every path.
/// </summary>
public class ParallelStepTests
{
    // Cut into 2, 4 and 8 chunks (16,384 elements at least each; up to 4 per thread), with tails
    // that are not a multiple of any vector width; the small ones go whole, between the chunks.
    private static readonly int[] Lengths = { 40_007, 100, 70_001, 0, 16_384 * 9 + 3, 33 };

    private static (Optimizer Serial, Optimizer Parallel) Pair(string optimizer, KernelPath path)
    {
        Func<Optimizer> create = KernelCases.Optimizers[optimizer];
        Optimizer serial = create(), parallel = create();
        serial.Path = parallel.Path = path;
        parallel.MaxDegreeOfParallelism = 4;
        parallel.ParallelThreshold = 1;
        parallel.ShareEveryStep = true; // these tests check the hand-out, not whether it pays on this machine
        for (int t = 0; t < Lengths.Length; t++)
        {
            float[] initial = KernelCases.Values(Lengths[t], seed: 10 + t, scale: 2f);
            float[] gradient = KernelCases.Values(Lengths[t], seed: 30 + t, scale: 1f);
            serial.Add((float[])initial.Clone(), gradient);
            parallel.Add((float[])initial.Clone(), gradient);
        }

        return (serial, parallel);
    }

    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void ParallelStepGivesTheBitsOfTheSingleThreadedStep(string optimizer, KernelPath path)
    {
        (Optimizer serial, Optimizer parallel) = Pair(optimizer, path);
        for (int step = 1; step <= 4; step++)
        {
            serial.Step();
            parallel.Step();
            for (int t = 0; t < Lengths.Length; t++)
            {
                Assert.Equal(serial.Tensors[t].Step, parallel.Tensors[t].Step);
                KernelBitwiseTests.AssertSameBits(serial.Tensors[t], parallel.Tensors[t], $"{optimizer} on {path}, tensor {t}, step {step}");
            }
        }

        bool cuts = Environment.ProcessorCount > 1 && serial.Rule.ReductionCount == 0;
        int[] expected = cuts ? new[] { 2, 0, 4, 0, 8, 0 } : new int[Lengths.Length];
        Assert.Equal(expected, parallel.Tensors.Select(t => Math.Min(t.ChunkCount, 8)).ToArray());
        // Something moved: the comparison is not between two untouched copies (the values' 3e38
        // overflows a sum of squares, so a rule with a reduction may rightly stand still).
        ParameterTensor first = parallel.Tensors[0];
        bool moved = !first.Parameter.Span.SequenceEqual(KernelCases.Values(Lengths[0], seed: 10, scale: 2f))
            || Enumerable.Range(0, first.StateCount).Any(i => first.State(i).ContainsAnyExcept(0f));
        Assert.True(moved || serial.Rule.ReductionCount > 0, "the steps changed nothing");
    }

    [Fact]
    public void AParallelStepAllocatesNothingOnAnyThread()
    {
        (_, Optimizer parallel) = Pair("AdamW", KernelPath.Auto);
        parallel.Step();
        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(parallel.Step, steps: 30));

        // The helpers' bytes, the fewest over a few rounds (the per-thread counter can over-count
        // once while other tests allocate), in rounds where a helper did step chunks.
        // Rounds go on (up to 10 s) until three had a helper stepping chunks: on a loaded machine a
        // helper can miss a round's steps altogether.
        long least = long.MaxValue;
        int counted = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (counted < 3 && clock.Elapsed < TimeSpan.FromSeconds(10) && Environment.ProcessorCount > 1)
        {
            long bytes = parallel.HelperAllocatedBytes, chunks = parallel.HelperItems;
            for (int i = 0; i < 30; i++)
            {
                parallel.Step();
            }

            Thread.Sleep(1); // a helper adds its bytes after its last chunk
            if (parallel.HelperItems > chunks)
            {
                least = Math.Min(least, parallel.HelperAllocatedBytes - bytes);
                counted++;
            }
        }

        Assert.True(Environment.ProcessorCount == 1 || least == 0, $"helpers allocated {least} bytes in 30 steps (long.MaxValue: no helper stepped a chunk)");
    }

    [Fact]
    public void HelperThreadsTakePart()
    {
        if (Environment.ProcessorCount == 1)
        {
            return; // one core: there are no helper threads (the other tests check the serial fallback)
        }

        (_, Optimizer parallel) = Pair("Adam", KernelPath.Auto);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (parallel.HelperItems == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            parallel.Step();
        }

        Assert.True(parallel.HelperItems > 0, "no chunk was stepped off the calling thread in 10 s of steps");
    }

    [Fact]
    public void TensorsBelowTheThresholdAreNotCut()
    {
        (_, Optimizer parallel) = Pair("Adam", KernelPath.Auto);
        parallel.ParallelThreshold = 70_001;
        parallel.Step();
        Assert.Equal(Environment.ProcessorCount > 1 ? new[] { 0, 0, 4, 0, 8, 0 } : new int[Lengths.Length], parallel.Tensors.Select(t => Math.Min(t.ChunkCount, 8)).ToArray());
    }

    /// <summary>
    /// A tensor of more than 2 Mi elements is cut into more chunks than 4 per thread: none longer
    /// than 262,144 elements, so a helper slowed down by other work holds little of the step; the
    /// bits are the single-threaded step's.
    /// </summary>
    [Fact]
    public void ALargeTensorIsCutIntoChunksOfAtMost256KiElementsWithTheSameBits()
    {
        const int length = 9 * 262_144 + 5; // ten chunks of at most 262,144
        Optimizer serial = new AdamW(), parallel = new AdamW { MaxDegreeOfParallelism = 2, ParallelThreshold = 1, ShareEveryStep = true };
        float[] initial = KernelCases.Values(length, seed: 3, scale: 2f);
        float[] gradient = KernelCases.Values(length, seed: 4, scale: 1f);
        serial.Add((float[])initial.Clone(), gradient);
        parallel.Add((float[])initial.Clone(), gradient);
        for (int step = 1; step <= 2; step++)
        {
            serial.Step();
            parallel.Step();
        }

        Assert.Equal(Environment.ProcessorCount > 1 ? 10 : 0, parallel.Tensors[0].ChunkCount);
        KernelBitwiseTests.AssertSameBits(serial.Tensors[0], parallel.Tensors[0], "a tensor of ten chunks after 2 steps");
    }

    /// <summary>
    /// A model of many tensors below the threshold (80 of 1 to 6,000 elements, 250 Ki in all): none
    /// is cut, runs of whole tensors go to the threads, and the bits are the single-threaded step's.
    /// </summary>
    [Theory]
    [InlineData("AdamW")]
    [InlineData("NAdam")] // per-tensor state (the momentum product) in every tensor
    [InlineData("ASGD")]
    public void ManySmallTensorsAreSharedBetweenThreadsWithTheSameBits(string optimizer)
    {
        Func<Optimizer> create = KernelCases.Optimizers[optimizer];
        Optimizer serial = create(), parallel = create();
        parallel.MaxDegreeOfParallelism = 2;
        parallel.ShareEveryStep = true;
        var random = new Random(5);
        int[] lengths = Enumerable.Range(0, 80).Select(_ => random.Next(1, 6_001)).ToArray();
        for (int t = 0; t < lengths.Length; t++)
        {
            float[] initial = KernelCases.Values(lengths[t], seed: 100 + t, scale: 2f);
            float[] gradient = KernelCases.Values(lengths[t], seed: 300 + t, scale: 1f);
            serial.Add((float[])initial.Clone(), gradient);
            parallel.Add((float[])initial.Clone(), gradient);
        }

        Assert.True(lengths.Sum() >= Optimizer.DefaultParallelThreshold && lengths.Max() < 16_384, "the model must be parallel in all and small in each tensor");
        for (int step = 1; step <= 3; step++)
        {
            serial.Step();
            parallel.Step();
            for (int t = 0; t < lengths.Length; t++)
            {
                KernelBitwiseTests.AssertSameBits(serial.Tensors[t], parallel.Tensors[t], $"{optimizer}, tensor {t} of {lengths[t]}, step {step}");
            }
        }

        Assert.All(parallel.Tensors, t => Assert.Equal(0, t.ChunkCount));
        if (Environment.ProcessorCount > 1)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (parallel.HelperItems == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                parallel.Step();
            }

            Assert.True(parallel.HelperItems > 0, "no run of tensors was stepped off the calling thread in 10 s of steps");
            Assert.Equal(0, AllocationProbe.LeastAllocatedOver(parallel.Step, steps: 30));
        }
    }

    [Fact]
    public void AStepWithFewerElementsThanTheThresholdInAllStaysOnTheCallingThread()
    {
        var parallel = new AdamW { MaxDegreeOfParallelism = 4, ShareEveryStep = true };
        for (int t = 0; t < 10; t++)
        {
            parallel.Add(new float[10_000], new float[10_000]); // 100,000 in all, below 131,072
        }

        for (int i = 0; i < 20; i++)
        {
            parallel.Step();
        }

        Assert.Equal(0, parallel.ParallelSteps);
        parallel.Add(new float[40_000], new float[40_000]); // 140,000 in all: shared from now on
        parallel.Step();
        Assert.Equal(Environment.ProcessorCount > 1 ? 1 : 0, parallel.ParallelSteps);
    }

    /// <summary>
    /// Layouts the work list must cut right: a large tensor last, two large tensors side by side, a
    /// run that reaches 16 Ki just before a large tensor, and tensors added between steps (the list
    /// planned again, and grown). Same bits as one thread, tensor by tensor.
    /// </summary>
    [Theory]
    [InlineData(new[] { 100, 5_000, 200_003 })]
    [InlineData(new[] { 150_000, 131_072, 7 })]
    [InlineData(new[] { 8_192, 8_192, 140_000, 16_384, 1 })]
    public void EveryLayoutOfLargeAndSmallTensorsGivesTheBitsOfOneThread(int[] lengths)
    {
        Optimizer serial = new NAdam(), parallel = new NAdam { MaxDegreeOfParallelism = 2, ShareEveryStep = true };
        void Register(int length, int seed)
        {
            float[] initial = KernelCases.Values(length, seed: seed, scale: 2f);
            float[] gradient = KernelCases.Values(length, seed: seed + 1, scale: 1f);
            serial.Add((float[])initial.Clone(), gradient);
            parallel.Add((float[])initial.Clone(), gradient);
        }

        for (int t = 0; t < lengths.Length; t++)
        {
            Register(lengths[t], 10 * t);
        }

        for (int step = 1; step <= 4; step++)
        {
            if (step == 3)
            {
                for (int extra = 0; extra < 40; extra++)
                {
                    Register(3_000 + extra, 1_000 + 10 * extra); // 40 more small tensors at step 1: more items than before
                }
            }

            serial.Step();
            parallel.Step();
            for (int t = 0; t < serial.Tensors.Count; t++)
            {
                Assert.Equal(serial.Tensors[t].Step, parallel.Tensors[t].Step);
                KernelBitwiseTests.AssertSameBits(serial.Tensors[t], parallel.Tensors[t], $"tensor {t} of {serial.Tensors[t].Length}, step {step}");
            }
        }

        Assert.Equal(Environment.ProcessorCount > 1 ? 4 : 0, parallel.ParallelSteps);
    }

    /// <summary>
    /// With the guard on (the default), steps go to one thread or are shared as the timings say;
    /// either way every step gives the bits of the single-threaded one, per-tensor state included.
    /// </summary>
    [Fact]
    public void StepsTheGuardKeepsOnOneThreadGiveTheSameBits()
    {
        Optimizer serial = new NAdam(), parallel = new NAdam { MaxDegreeOfParallelism = 2, ParallelThreshold = 1 };
        foreach (int length in new[] { 70_001, 3_000, 40_000 })
        {
            float[] initial = KernelCases.Values(length, seed: length, scale: 2f);
            float[] gradient = KernelCases.Values(length, seed: length + 1, scale: 1f);
            serial.Add((float[])initial.Clone(), gradient);
            parallel.Add((float[])initial.Clone(), gradient);
        }

        for (int step = 1; step <= 200; step++)
        {
            serial.Step();
            parallel.Step();
        }

        Assert.Equal(200, parallel.ParallelSteps + parallel.GuardedSteps + (Environment.ProcessorCount == 1 ? 200 : 0));
        for (int t = 0; t < serial.Tensors.Count; t++)
        {
            KernelBitwiseTests.AssertSameBits(serial.Tensors[t], parallel.Tensors[t], $"tensor {t} after 200 steps");
        }
    }

    [Fact]
    public void SettingsOutOfRangeAreRefused()
    {
        var adam = new Adam();
        Assert.Equal(1, adam.MaxDegreeOfParallelism);
        Assert.Equal(Optimizer.DefaultParallelThreshold, adam.ParallelThreshold);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => adam.MaxDegreeOfParallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => adam.ParallelThreshold = 0);
        Assert.Equal(1, adam.MaxDegreeOfParallelism);
    }

    [Fact]
    public void RulesWithReductionsStepOnTheCallingThreadWithTheSameBits()
    {
        var serial = new Lamb();
        var parallel = new Lamb { MaxDegreeOfParallelism = 2, ParallelThreshold = 1 };
        float[] initial = KernelCases.Values(70_001, seed: 1, scale: 1f), gradient = KernelCases.Values(70_001, seed: 2, scale: 1f);
        serial.Add((float[])initial.Clone(), gradient);
        parallel.Add((float[])initial.Clone(), gradient);
        serial.Step();
        parallel.Step();
        KernelBitwiseTests.AssertSameBits(serial.Tensors[0], parallel.Tensors[0], "Lamb");
        Assert.Equal(0, parallel.Tensors[0].ChunkCount);
    }
}
