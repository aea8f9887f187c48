using System;
using System.Diagnostics;
using System.Threading;

namespace KernelGen;

/// <summary>
/// The threads that help parallel steps: one fewer than the machine's cores, started on the first
/// parallel step and kept for the life of the process (background threads, so they never keep it
/// alive). Not the thread pool: a pool worker that takes an item wakes another to look for more,
/// and on a machine with as many busy threads as cores that extra spinning thread takes a core's
/// time from the step. After a step a helper spins briefly for the next one (steps often follow
/// each other closely), then sleeps until one is offered.
/// </summary>
internal static class HelperThreads
{
    // How long a helper spins for the next step before it sleeps: longer than the gap between
    // back-to-back steps, far shorter than a forward and backward pass.
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static bool s_started;
    private static ChunkRunner? s_offered;
    private static long s_offers;
    private static int s_sleepers;

    /// <summary>How many helpers there are (0 on a single-core machine).</summary>
    public static int Count { get; } = Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>Offers <paramref name="runner"/>'s step to the helpers, starting them on first use.</summary>
    public static void Offer(ChunkRunner runner)
    {
        if (!Volatile.Read(ref s_started))
        {
            Start();
        }

        Volatile.Write(ref s_offered, runner);
        Interlocked.Increment(ref s_offers);
        int sleepers = Volatile.Read(ref s_sleepers);
        if (sleepers > 0)
        {
            Wake.Release(sleepers);
        }
    }

    /// <summary>Takes the offer back once the step is done (a later offer may have replaced it already).</summary>
    public static void Withdraw(ChunkRunner runner) => Interlocked.CompareExchange(ref s_offered, null, runner);

    private static void Start()
    {
        lock (StartLock)
        {
            if (s_started)
            {
                return;
            }

            for (int i = 0; i < Count; i++)
            {
                new Thread(Help) { IsBackground = true, Name = $"KernelGen helper {i + 1}" }.Start();
            }

            Volatile.Write(ref s_started, true);
        }
    }

    private static void Help()
    {
        long seen = Volatile.Read(ref s_offers);
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
            // wakes this thread; a wake-up left over from an offer seen without sleeping only
            // brings one more look.
            Interlocked.Increment(ref s_sleepers);
            if (Volatile.Read(ref s_offers) == seen)
            {
                Wake.Wait();
            }

            Interlocked.Decrement(ref s_sleepers);
            spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
        }
    }
}
