using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using KernelGen.Distributed;

namespace KernelGen.Tests.Distributed;

/// <summary>
/// An in-process transport for tests: each rank is a thread, and an all-gather is a copy through
/// shared arrays between two barriers.
/// </summary>
internal sealed class ThreadRanks
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Barrier _barrier;
    private readonly float[][] _blocks;

    private ThreadRanks(int worldSize)
    {
        _barrier = new Barrier(worldSize);
        _blocks = new float[worldSize][];
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="worldSize"/> threads, one per rank, and returns each rank's result; rethrows the first rank's failure.</summary>
    public static T[] Run<T>(int worldSize, Func<ICommunicator, T> body)
    {
        var group = new ThreadRanks(worldSize);
        var results = new T[worldSize];
        var failures = new Exception?[worldSize];
        var threads = new List<Thread>();
        for (int r = 0; r < worldSize; r++)
        {
            int rank = r;
            var thread = new Thread(() =>
            {
                try
                {
                    results[rank] = body(new Member(group, rank));
                }
                catch (Exception e)
                {
                    failures[rank] = e;

                    // The others must not wait for a rank that left.
                    group._barrier.RemoveParticipant();
                }
            });
            thread.Start();
            threads.Add(thread);
        }

        threads.ForEach(t => t.Join());
        foreach (Exception? failure in failures)
        {
            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }

        return results;
    }

    private void Wait()
    {
        if (!_barrier.SignalAndWait(Patience))
        {
            throw new TimeoutException("A rank did not reach the collective.");
        }
    }

    private sealed class Member(ThreadRanks group, int rank) : ICommunicator
    {
        public int Rank => rank;

        public int WorldSize => group._blocks.Length;

        public void AllGather(ReadOnlySpan<float> local, Span<float> gathered, ReadOnlySpan<int> counts)
        {
            Collectives.CheckGather(this, local, gathered, counts);
            group._blocks[rank] = local.ToArray();
            group.Wait();
            int at = 0;
            foreach (float[] block in group._blocks)
            {
                block.CopyTo(gathered.Slice(at));
                at += block.Length;
            }

            // Nobody writes the next gather's block before everyone has read this one.
            group.Wait();
        }
    }
}
