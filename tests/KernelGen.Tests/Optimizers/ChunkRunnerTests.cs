using System;
using System.Linq;
using System.Threading;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// The chunk hand-over itself: every chunk of every step is stepped exactly once, however late a
/// helper thread woken for an earlier step runs, and a chunk's exception reaches the caller.
/// </summary>
public class ChunkRunnerTests
{
    private static ParameterTensor[] Chunks(int count)
    {
        var optimizer = new SGD();
        ParameterTensor whole = optimizer.Add(new float[count * 16], new float[count * 16]);
        return whole.Chunks(count);
    }

    [Fact]
    public void EveryChunkOfEveryStepIsSteppedExactlyOnce()
    {
        ParameterTensor[][] steps = { Chunks(8), Chunks(3), Chunks(2) };
        int[] counts = new int[8];
        int offCaller = 0;
        int caller = Environment.CurrentManagedThreadId;
        ParameterTensor[]? current = null;
        var runner = new ChunkRunner((chunk, path) =>
        {
            Assert.Equal(KernelPath.Vector128, path);
            if (Environment.CurrentManagedThreadId != caller)
            {
                Interlocked.Increment(ref offCaller);
            }

            Interlocked.Increment(ref counts[Array.IndexOf(current!, chunk)]);
            Thread.SpinWait(Environment.TickCount % 7 * 50); // uneven chunks, so the threads interleave differently each step
        }, maxHelpers: 3);

        for (int step = 0; step < 3000; step++)
        {
            current = steps[step % steps.Length];
            Array.Clear(counts);
            runner.Run(current, KernelPath.Vector128);
            Assert.True(counts.Take(current.Length).All(c => c == 1), $"step {step}: chunks stepped {string.Join(",", counts)} times");
            Assert.True(counts.Skip(current.Length).All(c => c == 0), $"step {step}: a chunk past the step's stepped");
        }

        // The test is about helpers: some chunks must have run on them (on more than one core; on a
        // loaded machine a helper may need more steps to get a core, up to 10 s of them).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Environment.ProcessorCount > 1 && Volatile.Read(ref offCaller) == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            current = steps[0];
            Array.Clear(counts);
            runner.Run(current, KernelPath.Vector128);
        }

        Assert.True(Environment.ProcessorCount == 1 || offCaller > 0, "every chunk ran on the calling thread");
    }

    [Fact]
    public void AChunksExceptionReachesTheCallerAfterTheOtherChunks()
    {
        ParameterTensor[] chunks = Chunks(4);
        int stepped = 0;
        var runner = new ChunkRunner((chunk, _) =>
        {
            Interlocked.Increment(ref stepped);
            if (chunk == chunks[2])
            {
                throw new InvalidOperationException("chunk 2");
            }
        }, maxHelpers: 1);

        var error = Assert.Throws<InvalidOperationException>(() => runner.Run(chunks, KernelPath.Scalar));
        Assert.Equal("chunk 2", error.Message);
        Assert.Equal(4, stepped);
    }

    [Fact]
    public void ChunksCutAtMultiplesOf16AndCoverTheTensor()
    {
        var optimizer = new Adam();
        ParameterTensor whole = optimizer.Add(new float[100_003], new float[100_003]);
        ParameterTensor[] chunks = whole.Chunks(6);
        Assert.Equal(100_003, chunks.Sum(c => c.Length));
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(0, c.Length % 16));
        int offset = 0;
        foreach (ParameterTensor chunk in chunks)
        {
            Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref whole.Parameter.Span[offset], ref chunk.Parameter.Span[0]));
            Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref whole.State(1)[offset], ref chunk.State(1)[0]));
            offset += chunk.Length;
        }
    }
}
