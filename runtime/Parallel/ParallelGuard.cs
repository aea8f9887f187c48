using System;
using System.Diagnostics;

namespace KernelGen.Parallel;

/// <summary>
/// Decides, step by step, whether a parallel step shares its work or runs on the calling thread
/// alone, so that sharing does not make steps slower. On a machine whose cores are busy with
/// other work a helper may be descheduled while it holds an item, and the caller then waits for
/// it: the step is slower than one thread would have been. Shared steps are judged, a few at a
/// time, against what one thread would have taken, estimated from the caller's own items (their
/// time, and the helpers' elements at the caller's time per element). When they were not faster, steps run on
/// one thread for <see cref="CostFactor"/> times the time the window lost (so trying again costs
/// a few percent at most), doubled for every failed try in a row, then sharing is tried again.
/// The guard only chooses between two ways of stepping that give the same bits.
/// </summary>
internal sealed class ParallelGuard
{
    /// <summary>Shared steps judged together: one slow step among fast ones is noise.</summary>
    public const int Window = 4;

    /// <summary>
    /// A window pays when its shared steps took at most this fraction of the single-threaded
    /// estimate. Below 1: the estimate comes from the caller's items while the helpers share the
    /// caches and the memory bus with it, so it is a little slower than a step of one thread alone.
    /// </summary>
    public const double RequiredRatio = 0.9;

    /// <summary>Time on one thread after a window that did not pay, in multiples of the time it lost: a failed try costs 1/32 (3 %) of the time between tries.</summary>
    public const int CostFactor = 32;

    /// <summary>Failed tries in a row that each double the time on one thread.</summary>
    public const int MostDoublings = 6;

    /// <summary>The longest time on one thread between two tries: an idle machine gets its threads back soon.</summary>
    public const double LongestBackOffSeconds = 2.0;

    /// <summary>
    /// How long a try may wait for a sleeping helper to join a step. Until one does, the caller
    /// steps everything (as fast as one thread), and those steps are not judged: on a loaded
    /// machine a woken thread may take a millisecond to run.
    /// </summary>
    public const double WakeSeconds = 0.005;

    private static readonly long WakeTicks = (long)(WakeSeconds * Stopwatch.Frequency);
    private static readonly long LongestBackOffTicks = (long)(LongestBackOffSeconds * Stopwatch.Frequency);

    private long _singleUntil;
    private int _failures;
    private bool _waking = true; // helpers start asleep (or not at all)
    private long _wakeStart;
    private int _windowSteps;
    private long _windowSharedTicks;
    private long _windowCallerTicks;
    private long _windowOtherElements;
    private double _windowBestRate = double.MaxValue;

    /// <summary>Single-threaded steps the guard chose so far.</summary>
    public long SingleSteps { get; private set; }

    /// <summary>Whether the step starting at <paramref name="now"/> (<see cref="Stopwatch"/> ticks) should be shared; counts a single-threaded step when not.</summary>
    public bool ShouldShare(long now)
    {
        if (now < _singleUntil)
        {
            SingleSteps++;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Records a shared step that started at <paramref name="start"/> and ended at <paramref name="end"/>,
    /// in which the caller spent <paramref name="callerTicks"/> on <paramref name="callerElements"/>
    /// of the step's <paramref name="elements"/> (all times <see cref="Stopwatch"/> ticks), and
    /// whether the caller then waited long for a helper's item (<see cref="ChunkRunner.HelperLate"/>).
    /// A late helper has the window judged at once, however few its steps: its core is taken by
    /// other work, and the next steps would likely wait for it again.
    /// </summary>
    public void RecordShared(long start, long end, long callerTicks, long callerElements, long elements, bool helperLate = false)
    {
        bool helped = callerElements < elements;
        if (_waking)
        {
            if (_wakeStart == 0)
            {
                _wakeStart = start;
            }

            if (!helped)
            {
                if (end - _wakeStart > WakeTicks)
                {
                    // No helper came: the machine has no core to spare. The caller stepped alone
                    // meanwhile, so those steps lost only the offers.
                    BackOff(end, lostTicks: (end - _wakeStart) / Window);
                }

                return;
            }

            _waking = false;
        }

        if (callerElements <= 0)
        {
            return; // the helpers took everything: nothing to estimate one thread from
        }

        _windowSharedTicks += end - start;
        _windowCallerTicks += callerTicks;
        _windowOtherElements += elements - callerElements;
        _windowBestRate = Math.Min(_windowBestRate, (double)callerTicks / callerElements);
        if (++_windowSteps < Window && !helperLate)
        {
            return;
        }

        // The caller's own time, and the helpers' elements at the caller's best rate in the window:
        // a caller descheduled during its items adds as much to the estimate as to the steps.
        double singleTicks = _windowCallerTicks + _windowOtherElements * _windowBestRate;

        if (_windowSharedTicks <= RequiredRatio * singleTicks)
        {
            _failures = Math.Max(0, _failures - 1);
            ClearWindow();
            return;
        }

        // What sharing lost, and at least one step's time (a window that came close lost little, but did not pay either).
        BackOff(end, lostTicks: Math.Max(_windowSharedTicks - (long)singleTicks, _windowSharedTicks / _windowSteps));
    }

    private void BackOff(long now, long lostTicks)
    {
        _failures = Math.Min(MostDoublings, _failures + 1);
        _singleUntil = now + Math.Min(LongestBackOffTicks, CostFactor * lostTicks << (_failures - 1));
        _waking = true; // the helpers go to sleep meanwhile
        _wakeStart = 0;
        ClearWindow();
    }

    private void ClearWindow()
    {
        _windowSteps = 0;
        _windowSharedTicks = 0;
        _windowCallerTicks = 0;
        _windowOtherElements = 0;
        _windowBestRate = double.MaxValue;
    }
}
