using System.Diagnostics;
using KernelGen.Parallel;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// <see cref="ParallelGuard"/> on made-up timings: shared steps that pay go on being shared; a
/// window that does not pay sends steps to one thread for a time in proportion to what it lost,
/// longer after every failure in a row; steps before a sleeping helper joins are not judged.
/// </summary>
public class ParallelGuardTests
{
    private const long Elements = 1_000_000;
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;

    /// <summary>A shared step of <paramref name="ticks"/> in which the caller stepped half the elements in <paramref name="callerTicks"/>.</summary>
    private static long Shared(ParallelGuard guard, long now, long ticks, long callerTicks, bool helped = true, bool helperLate = false)
    {
        Assert.True(guard.ShouldShare(now));
        guard.RecordShared(now, now + ticks, callerTicks, helped ? Elements / 2 : Elements, Elements, helperLate);
        return now + ticks;
    }

    /// <summary>One window of shared steps, each like <see cref="Shared"/>.</summary>
    private static long SharedWindow(ParallelGuard guard, long now, long ticks, long callerTicks)
    {
        for (int step = 0; step < ParallelGuard.Window; step++)
        {
            now = Shared(guard, now, ticks, callerTicks);
        }

        return now;
    }

    [Fact]
    public void StepsThatPayAreSharedForEver()
    {
        var guard = new ParallelGuard();
        long now = 1;
        for (int step = 0; step < 1000; step++)
        {
            now = Shared(guard, now, Millisecond, Millisecond); // half the work in the whole step: twice as fast as one thread
        }

        Assert.Equal(0, guard.SingleSteps);
    }

    [Fact]
    public void AWindowThatLosesSendsStepsToOneThreadInProportionToTheLoss()
    {
        var guard = new ParallelGuard();
        long now = 1;
        // The caller's half took 1 ms, the step 3 ms (a helper was descheduled): one thread would have taken 2 ms.
        now = SharedWindow(guard, now, 3 * Millisecond, Millisecond);

        long lost = ParallelGuard.Window * Millisecond;
        Assert.False(guard.ShouldShare(now));
        Assert.False(guard.ShouldShare(now + ParallelGuard.CostFactor * lost - 1));
        Assert.True(guard.ShouldShare(now + ParallelGuard.CostFactor * lost));
        Assert.Equal(2, guard.SingleSteps);

        // The next try fails the same way: twice as long on one thread.
        now += ParallelGuard.CostFactor * lost;
        now = SharedWindow(guard, now, 3 * Millisecond, Millisecond);

        Assert.False(guard.ShouldShare(now + 2 * ParallelGuard.CostFactor * lost - 1));
        Assert.True(guard.ShouldShare(now + 2 * ParallelGuard.CostFactor * lost));
    }

    [Fact]
    public void ALateHelperThatMadeTheStepLoseSendsStepsToOneThreadAtOnce()
    {
        var guard = new ParallelGuard();
        long now = 1;
        now = Shared(guard, now, Millisecond, Millisecond); // pays
        // The caller's half took 1 ms, then it waited 2 ms for a descheduled helper: one thread would have taken 2 ms.
        now = Shared(guard, now, 3 * Millisecond, Millisecond, helperLate: true);

        // Judged on the two steps: 4 ms shared against 4 ms on one thread lost one step's time (2 ms).
        long lost = 2 * Millisecond;
        Assert.False(guard.ShouldShare(now + ParallelGuard.CostFactor * lost - 1));
        Assert.True(guard.ShouldShare(now + ParallelGuard.CostFactor * lost));
    }

    [Fact]
    public void ALateHelperInStepsThatStillPayDoesNotStopSharing()
    {
        var guard = new ParallelGuard();
        long now = 1;
        for (int step = 0; step < 100; step++)
        {
            // Late by a little in a long step: 1.2 ms where one thread takes 2 ms.
            now = Shared(guard, now, 12 * Millisecond / 10, Millisecond, helperLate: step % 3 == 0);
        }

        Assert.Equal(0, guard.SingleSteps);
    }

    [Fact]
    public void AWindowThatComesCloseDoesNotPayEither()
    {
        var guard = new ParallelGuard();
        long now = 1;
        now = SharedWindow(guard, now, 19 * Millisecond / 10, Millisecond); // 0.95 of one thread's time

        Assert.False(guard.ShouldShare(now));
    }

    [Fact]
    public void TheTimeOnOneThreadIsBounded()
    {
        var guard = new ParallelGuard();
        long now = 1;
        now = SharedWindow(guard, now, 1000 * Millisecond, Millisecond);

        long longest = (long)(ParallelGuard.LongestBackOffSeconds * Stopwatch.Frequency);
        Assert.False(guard.ShouldShare(now + longest - 1));
        Assert.True(guard.ShouldShare(now + longest));
    }

    [Fact]
    public void StepsBeforeAHelperJoinsAreNotJudgedForAWhile()
    {
        var guard = new ParallelGuard();
        long now = 1;
        long wake = (long)(ParallelGuard.WakeSeconds * Stopwatch.Frequency);
        // The caller steps everything while the helper wakes (as fast as one thread: not a loss).
        while (now + Millisecond <= wake)
        {
            now = Shared(guard, now, Millisecond, Millisecond, helped: false);
        }

        // Then the helper joins and the steps pay.
        for (int step = 0; step < 100; step++)
        {
            now = Shared(guard, now, Millisecond, Millisecond);
        }

        Assert.Equal(0, guard.SingleSteps);
    }

    [Fact]
    public void NoHelperJoiningForLongSendsStepsToOneThread()
    {
        var guard = new ParallelGuard();
        long now = 1;
        long wake = (long)(ParallelGuard.WakeSeconds * Stopwatch.Frequency);
        while (guard.ShouldShare(now))
        {
            Assert.True(now <= wake + 2 * Millisecond, "the guard waited past the wake-up time");
            guard.RecordShared(now, now + Millisecond, Millisecond, Elements, Elements);
            now += Millisecond;
        }

        Assert.Equal(1, guard.SingleSteps);
    }

    [Fact]
    public void ACallerDescheduledDuringItsOwnItemsDoesNotMakeSharingLookBetter()
    {
        var guard = new ParallelGuard();
        long now = 1;
        // Three steps where sharing saved nothing (the caller did half in 1 ms, the step took 2 ms),
        // and one where the caller lost 50 ms to another process during its own half.
        for (int step = 0; step < ParallelGuard.Window - 1; step++)
        {
            now = Shared(guard, now, 2 * Millisecond, Millisecond);
        }

        now = Shared(guard, now, 52 * Millisecond, 51 * Millisecond);
        Assert.False(guard.ShouldShare(now));
    }
}
