using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace KernelGen.Parallel;

/// <summary>
/// Runs the work items of one step (numbered 0 to count - 1: chunks of large tensors, runs of
/// small ones) on the calling thread and on <see cref="HelperThreads"/>, without allocating. The
/// caller takes items too, so busy helpers only make the step less parallel, never stuck: whoever
/// is free claims the next item, and the caller returns once every claimed item is done.
/// </summary>
internal sealed class ChunkRunner
{
    private readonly Action<int, KernelPath> _stepItem;
    private readonly int _maxHelpers;

    // The generation (high 32 bits), the first unclaimed item (next 16) and one past the last
    // unclaimed item (low 16), changed together so that a helper of an earlier step, which may
    // run late, can never claim an item of a later step it did not see published. The caller
    // claims from the front and helpers from the back: each thread walks memory contiguously
    // (interleaved chunks measured up to 1.4x slower), and they meet where the work balances.
    private long _claims;
    private int _completed;
    private int _count;
    private KernelPath _path;
    private ExceptionDispatchInfo? _failure;
    private int _seats; // helpers that may still join the current step
    private long _helperAllocatedBytes;

    /// <summary>The most items one step may have: the claim word has 16 bits per end.</summary>
    public const int MaxItems = ushort.MaxValue;

    /// <summary>A runner whose steps call <paramref name="stepItem"/> and take up to <paramref name="maxHelpers"/> helpers besides the caller.</summary>
    public ChunkRunner(Action<int, KernelPath> stepItem, int maxHelpers)
    {
        _stepItem = stepItem;
        _maxHelpers = maxHelpers;
    }

    /// <summary>Bytes the helpers allocated while stepping chunks (a step must allocate nothing on any thread).</summary>
    internal long HelperAllocatedBytes => Interlocked.Read(ref _helperAllocatedBytes);

    /// <summary>Items stepped by helper threads so far (tests check that helpers do take part).</summary>
    internal long HelperItems => Interlocked.Read(ref _helperItems);

    private long _helperItems;

    /// <summary>The helpers this runner's steps take at most, besides the caller.</summary>
    public int MaxHelpers => _maxHelpers;

    /// <summary>How many items the calling thread stepped in the last step: items 0 to this - 1 (it claims from the front).</summary>
    public int CallerItems { get; private set; }

    /// <summary>The <see cref="Stopwatch"/> ticks the calling thread spent stepping its items in the last step.</summary>
    public long CallerTicks { get; private set; }

    /// <summary>
    /// Whether the caller, done with its own items in the last step, waited for a helper's item
    /// longer than twice its own mean item or <see cref="LateTicks"/>: the helper was descheduled.
    /// </summary>
    public bool HelperLate { get; private set; }

    /// <summary>The least wait for helpers' items that counts as late: 20 µs, a few times a 16 Ki-element item (longer items wait twice the caller's mean item).</summary>
    private static readonly long LateTicks = Stopwatch.Frequency / 50_000;

    /// <summary>Steps items 0 to <paramref name="count"/> - 1 once each; returns when all are done; rethrows an item's exception.</summary>
    public void Run(int count, KernelPath path)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxItems);
        _count = count;
        _path = path;
        _completed = 0;
        _failure = null;
        _seats = Math.Min(_maxHelpers, count - 1);
        long generation = (Volatile.Read(ref _claims) >> 32) + 1;
        Interlocked.Exchange(ref _claims, generation << 32 | (uint)count); // publishes the fields above

        try
        {
            if (_seats > 0)
            {
                OfferToHelpers();
            }

            long start = Stopwatch.GetTimestamp();
            CallerItems = Work(fromFront: true);
            long done = Stopwatch.GetTimestamp();
            CallerTicks = done - start;
            HelperLate = Volatile.Read(ref _completed) < count && !AwaitHelpers(count, done);
        }
        finally
        {
            HelperThreads.Withdraw(this);
        }

        _failure?.Throw();
    }

    /// <summary>
    /// Waits for the items helpers still hold (at most one each); returns whether they were done
    /// within <see cref="LateTicks"/> of <paramref name="done"/>. Until then the caller only spins:
    /// yielding on a core that other work keeps busy would hand it over for a whole time slice,
    /// while a running helper finishes its item in microseconds. Past it the helper is descheduled
    /// (or shares this core): the caller yields the core until the items are done.
    /// </summary>
    private bool AwaitHelpers(int count, long done)
    {
        long lateAt = done + Math.Max(LateTicks, 2 * CallerTicks / Math.Max(1, CallerItems));
        while (Volatile.Read(ref _completed) < count)
        {
            if (Stopwatch.GetTimestamp() > lateAt)
            {
                SpinWait spin = default;
                while (Volatile.Read(ref _completed) < count)
                {
#if NET
                    spin.SpinOnce(sleep1Threshold: -1);
#else
                    spin.SpinOnce(); // .NET Standard cannot keep SpinWait from sleeping 1 ms
#endif
                }

                return false;
            }

            Thread.SpinWait(20);
        }

        return true;
    }

    private void OfferToHelpers()
    {
        try
        {
            HelperThreads.Offer(this, _seats);
        }
        catch (Exception ex) when (ex is OutOfMemoryException or ThreadStartException)
        {
            // No new helper could be started. The items are published, so a helper already running
            // may still join: this thread steps what is left and waits for it, as for any busy helper.
        }
    }

    /// <summary>Called by a helper thread: steps items if the step still has a seat for a helper.</summary>
    public void Help()
    {
        if (Interlocked.Decrement(ref _seats) < 0)
        {
            return;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        Work(fromFront: false);
        Interlocked.Add(ref _helperAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Claims and steps items until none is left; returns how many this thread stepped.</summary>
    private int Work(bool fromFront)
    {
        int stepped = 0;
        while (TryClaim(fromFront, out int item, out KernelPath path))
        {
            stepped++;
            try
            {
                _stepItem(item, path);
                if (!fromFront)
                {
                    Interlocked.Increment(ref _helperItems);
                }
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
            }
            finally
            {
                Interlocked.Increment(ref _completed);
            }
        }

        return stepped;
    }

    private bool TryClaim(bool fromFront, out int item, out KernelPath path)
    {
        while (true)
        {
            long claims = Volatile.Read(ref _claims);
            int count = _count; // read after the claims: the step's own, or a later one the CAS below rejects
            int front = (int)(claims >> 16) & 0xFFFF;
            int back = (int)claims & 0xFFFF;
            if (front >= back || back > count)
            {
                item = -1;
                path = default;
                return false;
            }

            path = _path;
            long claimed = fromFront ? claims + (1L << 16) : claims - 1;
            if (Interlocked.CompareExchange(ref _claims, claimed, claims) == claims)
            {
                // The caller waits for every claimed item, so the step's items stay in place until this one is done.
                item = fromFront ? front : back - 1;
                return true;
            }
        }
    }
}
