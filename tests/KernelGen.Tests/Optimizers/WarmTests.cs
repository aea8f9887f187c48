using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Schedulers;
using KernelGen.Tests.Kernels;
using KernelGen.Tests.Reliability;
using KernelGen.Training;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// Optimizer.Warm compiles the step path on scratch tensors: it changes no bit of the optimizer,
/// a step after it gives the bits of a step without it, it may run while another thread steps,
/// and after its first call it allocates nothing.
/// </summary>
public class WarmTests
{
    private static readonly int[] TensorLengths = { 37, 0, 1037, 5 };

    public static IEnumerable<object[]> Names() => KernelCases.Optimizers.Keys.Select(name => new object[] { name });

    private static Optimizer Create(string name, int seed = 0)
    {
        Optimizer optimizer = KernelCases.Optimizers[name]();
        for (int t = 0; t < TensorLengths.Length; t++)
        {
            float[] gradient = KernelCases.Values(TensorLengths[t], seed + 100 + t, scale: 1f);
            optimizer.Add(KernelCases.Values(TensorLengths[t], seed + t, scale: 1f), gradient);
        }

        return optimizer;
    }

    private static void Steps(Optimizer optimizer, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            optimizer.Step();
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WarmChangesNoBitAndTheStepsAfterItEqualStepsWithout(string name)
    {
        Optimizer warmed = Create(name);
        Optimizer plain = Create(name);

        // Before the first step and between steps: every state, step count and setting as it was.
        string before = StateHash.Of(warmed);
        warmed.Warm();
        Assert.Equal(before, StateHash.Of(warmed));

        Steps(warmed, 2);
        Steps(plain, 2);
        before = StateHash.Of(warmed);
        warmed.Warm();
        warmed.Warm();
        Assert.Equal(before, StateHash.Of(warmed));

        Steps(warmed, 6);
        Steps(plain, 6);
        Assert.Equal(StateHash.Of(plain), StateHash.Of(warmed));
    }

    /// <summary>
    /// Warm calls BeforeStep, to bind its slot before the first step, only where it is the base's
    /// no-op: an override (Adan's) writes per-tensor state, which the test above sees unchanged.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void WarmCallsBeforeStepOnlyWhereItIsTheBasesNoOp(string name)
    {
        Optimizer optimizer = KernelCases.Optimizers[name]();
        System.Reflection.MethodInfo? declared = optimizer.GetType().GetMethod(
            "BeforeStep", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(declared);
        Assert.Equal(declared.DeclaringType == typeof(Optimizer), optimizer.BeforeStepIsTheBase());
        Assert.Equal(optimizer is not Adan, optimizer.BeforeStepIsTheBase());
    }

    /// <summary>
    /// The warm-ups of the schedules and of clipping call each math function their steps call that
    /// the JIT does not turn into an instruction, so that the runtime binds it before the first step:
    /// a schedule that starts using another (say Math.Exp) fails here until the warm-up calls it too.
    /// </summary>
    [Fact]
    public void TheWarmUpsCallEveryMathFunctionOfTheSchedulesAndClipping()
    {
        string[] instructions = { "Sqrt", "Abs", "Min", "Max", "FusedMultiplyAdd", "CopySign" };
        System.Reflection.Assembly library = typeof(Optimizer).Assembly;
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in library.GetTypes().Where(t => t.Namespace == typeof(LRScheduler).Namespace || t == typeof(GradientClipping)))
        {
            foreach (System.Reflection.MethodBase method in Methods(type))
            {
                used.UnionWith(MathCalls(method).Where(call => !instructions.Contains(call[(call.IndexOf('.') + 1)..])));
            }
        }

        Type warmUp = library.GetType("KernelGen.Internal.WarmUp", throwOnError: true)!;
        var called = new SortedSet<string>(MathCalls(warmUp.GetMethod("CallMathFunctions")!), StringComparer.Ordinal);
        Assert.Contains("Math.Cos", used); // the scan sees the calls
        Assert.Empty(used.Except(called));
    }

    private static IEnumerable<System.Reflection.MethodBase> Methods(Type type)
    {
        const System.Reflection.BindingFlags declared = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic
            | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly;
        return type.GetMethods(declared).Cast<System.Reflection.MethodBase>().Concat(type.GetConstructors(declared));
    }

    /// <summary>The Math and MathF methods <paramref name="method"/> calls, as <c>Math.Cos</c>: each call instruction's token resolved.</summary>
    private static IEnumerable<string> MathCalls(System.Reflection.MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        const byte call = 0x28;
        for (int i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] != call)
            {
                continue;
            }

            System.Reflection.MethodBase? target;
            try
            {
                target = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1));
            }
            catch (ArgumentException)
            {
                continue; // a byte of another instruction's operand, not a call
            }

            if (target?.DeclaringType == typeof(Math) || target?.DeclaringType == typeof(MathF))
            {
                yield return target.DeclaringType.Name + "." + target.Name;
            }
        }
    }

    [Fact]
    public void WarmWhileAnotherThreadStepsLeavesTheStepsBitsUnchanged()
    {
        const int steps = 60;
        foreach (string name in new[] { "AdamW", "SGD momentum dampening wd", "RAdam" })
        {
            Optimizer reference = Create(name);
            Steps(reference, steps);

            // Whole steps and per-tensor steps (whose kept uniform part Warm must not touch) against Warm in a loop.
            foreach (bool perTensor in new[] { false, true })
            {
                Optimizer shared = Create(name);
                using var stop = new CancellationTokenSource();
                using var warming = new ManualResetEventSlim();
                int warms = 0;
                var warmer = new Thread(() =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        warming.Set();
                        shared.Warm();
                        warms++;
                    }
                });
                warmer.Start();

                // On a busy machine the warmer may not be scheduled before the steps end: start stepping once it runs.
                warming.Wait();
                for (int s = 0; s < steps; s++)
                {
                    if (perTensor)
                    {
                        shared.BeginStep();
                        for (int t = shared.Tensors.Count - 1; t >= 0; t--)
                        {
                            shared.StepTensor(t);
                        }

                        shared.EndStep();
                    }
                    else
                    {
                        shared.Step();
                    }

                    // Let the warm-up run between steps too, not only before the first.
                    Thread.Yield();
                }

                stop.Cancel();
                warmer.Join();
                Assert.True(warms > 0);
                Assert.Equal(StateHash.Of(reference), StateHash.Of(shared));
            }
        }
    }

    [Fact]
    public void ASecondWarmAllocatesNothing()
    {
        Optimizer optimizer = Create("AdamW amsgrad");
        optimizer.GradientScale = 256f;
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        optimizer.Warm();
        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(optimizer.Warm, steps: 3));
    }

    [Fact]
    public void WarmWithNoTensorDoesNothing()
    {
        var optimizer = new AdamW();
        string before = StateHash.Of(optimizer);
        long allocated = AllocationProbe.LeastAllocatedOver(optimizer.Warm, steps: 1, rounds: 1);
        Assert.Equal(0, allocated);
        Assert.Equal(before, StateHash.Of(optimizer));
    }

    [Fact]
    public void AfterAHyperParameterChangesTheNextStepStillGivesTheSameBits()
    {
        Optimizer warmed = Create("AdamW");
        Optimizer plain = Create("AdamW");
        warmed.Warm();
        Steps(warmed, 2);
        Steps(plain, 2);

        // Another instantiation of the loops: the step compiles it; a second Warm compiles it first.
        foreach (Optimizer optimizer in new[] { warmed, plain })
        {
            ((AdamW)optimizer).Amsgrad = true;
            ((AdamW)optimizer).Maximize = true;
            optimizer.GradientScale = 4f;
        }

        Steps(warmed, 1);
        warmed.Warm();
        Steps(warmed, 2);
        Steps(plain, 3);
        Assert.Equal(StateHash.Of(plain), StateHash.Of(warmed));
    }

    [Fact]
    public void WarmRefusesAHyperParameterOutOfRangeAndChangesNothing()
    {
        Optimizer optimizer = Create("AdamW");
        ((AdamW)optimizer).Beta1 = 1.5f;
        StateHash.Refused<ArgumentOutOfRangeException>(optimizer.Warm, new[] { "Beta1" }, optimizer);
    }

    [Fact]
    public void TheOtherWarmUpsChangeNothingAndAllocateNothingTheSecondTime()
    {
        Optimizer decayed = Create("AdamW");
        Optimizer plain = Create("SGD momentum dampening wd", seed: 50);
        var groups = new ParameterGroups(decayed, plain);
        var schedule = new ChainedScheduler(new LRScheduler[]
        {
            new OneCycleLR(new[] { decayed, plain }, maxLr: 0.1, totalSteps: 100),
            new CosineAnnealingLR(new[] { decayed, plain }, tMax: 10),
        });
        var lookahead = new Lookahead(Create("SGD momentum dampening wd", seed: 70), pullbackMomentum: LookaheadPullback.Pullback);
        float[] average = new float[1037], followed = KernelCases.Values(1037, 3, 1f);
        var ema = new ExponentialMovingAverage { Decay = 0.9f };
        ema.Add(average, followed);
        var swa = new StochasticWeightAverage();
        swa.Add(new float[1037], followed);
        float[] microBatch = KernelCases.Values(1037, 4, 1f), accumulated = new float[1037];
        var accumulation = new GradientAccumulation(4);
        accumulation.Add(microBatch, accumulated);

        groups.Step();
        schedule.Step();
        lookahead.Step();
        ema.Step();
        accumulation.Accumulate();

        Action[] warmUps = { groups.Warm, schedule.Warm, GradientClipping.Warm, lookahead.Warm, ema.Warm, swa.Warm, accumulation.Warm };
        string before = State();
        foreach (Action warm in warmUps)
        {
            warm();
            Assert.Equal(before, State());
            Assert.Equal(0, AllocationProbe.LeastAllocatedOver(warm, steps: 2));
        }

        Assert.Equal(before, State());

        string State() => StateHash.Of(groups, lookahead) + string.Join(",", schedule.LastLearningRates) + schedule.LastEpoch
            + string.Join(",", average) + ema.StepCount(0) + swa.StepCount(0) + accumulation.Accumulated + string.Join(",", accumulated) + string.Join(",", microBatch);
    }
}
