using System;
using System.Linq;
using System.Threading;
using KernelGen.Parallel;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// The hand-over itself: every work item of every step is stepped exactly once, however late a
/// helper thread woken for an earlier step runs, and an item's exception reaches the caller; and
/// the chunks a tensor is cut into.
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
    public void EveryItemOfEveryStepIsSteppedExactlyOnce()
    {
        int[] steps = { 8, 3, 2 };
        int[] counts = new int[8];
        int offCaller = 0;
        int caller = Environment.CurrentManagedThreadId;
        var runner = new ChunkRunner((item, path) =>
        {
            Assert.Equal(KernelPath.Vector128, path);
            if (Environment.CurrentManagedThreadId != caller)
            {
                Interlocked.Increment(ref offCaller);
            }

            Interlocked.Increment(ref counts[item]);
            Thread.SpinWait(Environment.TickCount % 7 * 50); // uneven items, so the threads interleave differently each step
        }, maxHelpers: 3);

        for (int step = 0; step < 3000; step++)
        {
            int count = steps[step % steps.Length];
            Array.Clear(counts);
            runner.Run(count, KernelPath.Vector128);
            Assert.True(counts.Take(count).All(c => c == 1), $"step {step}: items stepped {string.Join(",", counts)} times");
            Assert.True(counts.Skip(count).All(c => c == 0), $"step {step}: an item past the step's stepped");
        }

        // The test is about helpers: some items must have run on them (on more than one core; on a
        // loaded machine a helper may need more steps to get a core, up to 10 s of them).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Environment.ProcessorCount > 1 && Volatile.Read(ref offCaller) == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Array.Clear(counts);
            runner.Run(steps[0], KernelPath.Vector128);
        }

        Assert.True(Environment.ProcessorCount == 1 || offCaller > 0, "every item ran on the calling thread");
    }

    [Fact]
    public void AnItemsExceptionReachesTheCallerAfterTheOtherItems()
    {
        int stepped = 0;
        var runner = new ChunkRunner((item, _) =>
        {
            Interlocked.Increment(ref stepped);
            if (item == 2)
            {
                throw new InvalidOperationException("item 2");
            }
        }, maxHelpers: 1);

        var error = Assert.Throws<InvalidOperationException>(() => runner.Run(4, KernelPath.Scalar));
        Assert.Equal("item 2", error.Message);
        Assert.Equal(4, stepped);
    }

    [Fact]
    public void ACallerThatWaitsLongForAHelpersItemReportsTheHelperLate()
    {
        if (Environment.ProcessorCount == 1)
        {
            return; // no helper threads
        }

        // Item 0 is the caller's (it claims from the front); a helper that takes item 1 holds it
        // for a second after item 0 is done, as a helper descheduled by other work would.
        using var callerDone = new ManualResetEventSlim();
        int caller = Environment.CurrentManagedThreadId;
        var runner = new ChunkRunner((item, _) =>
        {
            if (item == 0)
            {
                callerDone.Set();
            }
            else if (Environment.CurrentManagedThreadId != caller)
            {
                Assert.True(callerDone.Wait(TimeSpan.FromSeconds(30)), "item 0 was not done in 30 s");
                Thread.Sleep(1000);
            }
        }, maxHelpers: 1);

        // A helper may need several steps to get a core on a loaded machine: up to 10 s of them.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long helperItems = 0;
        while (helperItems == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            callerDone.Reset();
            runner.Run(2, KernelPath.Scalar);
            if (runner.HelperItems > helperItems)
            {
                helperItems = runner.HelperItems;
                Assert.True(runner.HelperLate, "the caller waited a second for the helper's item and did not report it late");
            }
            else
            {
                Assert.False(runner.HelperLate, "the caller stepped both items and reported a helper late");
            }
        }

        Assert.True(helperItems > 0, "no helper took an item in 10 s of steps");
    }

    [Fact]
    public void ACallerThatStepsEveryItemReportsNoHelperLate()
    {
        var runner = new ChunkRunner((_, _) => Thread.SpinWait(100), maxHelpers: 0);
        runner.Run(5, KernelPath.Scalar);
        Assert.Equal(5, runner.CallerItems);
        Assert.False(runner.HelperLate);
    }

    [Fact]
    public void MoreItemsThanTheClaimWordHoldsAreRefused()
    {
        var runner = new ChunkRunner((_, _) => { }, maxHelpers: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(ChunkRunner.MaxItems + 1, KernelPath.Scalar));
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
