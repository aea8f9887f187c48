using System;
using System.Diagnostics;
using System.Threading;

namespace KernelGen.Parallel;

/// <summary>
/// The threads that help parallel steps: at most one fewer than the machine's cores, started as
/// parallel steps first ask for them and kept for the life of the process (background threads,
/// so they never keep it alive). Not the thread pool: a pool worker that takes an item wakes
/// another to look for more, and on a machine with as many busy threads as cores that extra
/// spinning thread takes a core's time from the step. After a step a helper spins briefly for the
/// next one (steps often follow each other closely), then sleeps until one is offered; an offer
/// wakes only as many sleepers as the step has seats for.
/// </summary>
internal static class HelperThreads
{
    // How long a helper spins for the next step before it sleeps: longer than the gap between
    // back-to-back steps, far shorter than a forward and backward pass.
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static int s_started;
    private static ChunkRunner? s_offered;
    private static long s_offers;
    private static int s_sleepers;

    /// <summary>How many helpers there can be (0 on a single-core machine).</summary>
    public static int Count { get; } = Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>Offers <paramref name="runner"/>'s step to up to <paramref name="seats"/> helpers, starting them on first use.</summary>
    public static void Offer(ChunkRunner runner, int seats)
    {
        if (Volatile.Read(ref s_started) < seats)
        {
            Start(seats);
        }

        Volatile.Write(ref s_offered, runner);
        Interlocked.Increment(ref s_offers);
        int wake = Math.Min(Volatile.Read(ref s_sleepers), seats);
        if (wake > 0)
        {
            Wake.Release(wake);
        }
    }

    /// <summary>Takes the offer back once the step is done (a later offer may have replaced it already).</summary>
    public static void Withdraw(ChunkRunner runner) => Interlocked.CompareExchange(ref s_offered, null, runner);

    private static void Start(int helpers)
    {
        lock (StartLock)
        {
            for (int i = s_started; i < Math.Min(helpers, Count); i++)
            {
                new Thread(Help) { IsBackground = true, Name = $"KernelGen helper {i + 1}" }.Start();
                Volatile.Write(ref s_started, i + 1);
            }
        }
    }

    private static void Help()
    {
        long seen = 0; // not the current count: a helper started by an offer takes that offer too
        while (true)
        {
            seen = WaitForOffer(seen);
            Volatile.Read(ref s_offered)?.Help();
        }
    }

    /// <summary>Returns the offer count once it differs from <paramref name="seen"/>: spinning first, then asleep.</summary>
    private static long WaitForOffer(long seen)
    {
        long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
        while (true)
        {
            long offers = Volatile.Read(ref s_offers);
            if (offers != seen)
            {
                return offers;
            }

            if (Stopwatch.GetTimestamp() < spinUntil)
            {
                Thread.SpinWait(20);
                continue;
            }

            // Counted as a sleeper before the last look: an offer made after it sees the count and
            // wakes this thread. A wake-up left over from an offer this thread saw without sleeping
            // only brings one more look, and no new spin: the loop goes straight back to sleep.
            Interlocked.Increment(ref s_sleepers);
            if (Volatile.Read(ref s_offers) == seen)
            {
                Wake.Wait();
            }

            Interlocked.Decrement(ref s_sleepers);
        }
    }
}
