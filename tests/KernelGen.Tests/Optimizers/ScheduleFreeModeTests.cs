using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// The schedule-free train/eval switch: parameters hold y after steps in train mode (what the
/// shared cases record), <c>Eval</c> moves them to x and <c>Train</c> back to y, as
/// pytorch_optimizer 3.9.0's <c>eval()</c> and <c>train()</c> do.
/// </summary>
public sealed class ScheduleFreeModeTests
{
    private const string Folder = "schedule-free-modes";

    public static IEnumerable<object[]> Cases() => RecordedCases.OnEveryPath(Folder);

    /// <summary>
    /// The conformance runner's <c>kind: "schedule_free_modes"</c>: steps, <c>Eval</c>, <c>Eval</c> again,
    /// <c>Train</c>, more steps, with the parameters and the mode checked after each.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainEvalRoundTripMatchesTheReference(string caseName, KernelPath path) => RecordedCases.AssertPasses(Folder, caseName, path);

    [Fact]
    public void EvalMovesToTheAverageAndTrainBack()
    {
        // After steps, x = lerp(y, z, 1 − 1/β₁) is the point between y and z on the far side of y; train() returns to y up to rounding.
        var sgd = new ScheduleFreeSGD { LearningRate = 0.1f, Momentum = 0.9f };
        float[] p = { 1f, -2f, 3f }, g = { 0.5f, -0.25f, 1f };
        sgd.Add(p, g);
        sgd.Step();
        sgd.Step();
        float[] y = (float[])p.Clone();
        float[] z = sgd.Tensors[0].State(0).ToArray();

        sgd.Eval();
        for (int i = 0; i < p.Length; i++)
        {
            float w = 1f - 1f / 0.9f;
            Assert.Equal(y[i] + w * (z[i] - y[i]), p[i]);
        }

        sgd.Train();
        for (int i = 0; i < p.Length; i++)
        {
            Assert.Equal(y[i], p[i], 1e-6f);
        }
    }

    [Fact]
    public void TensorsThatHaveNotSteppedDoNotMove()
    {
        // As the reference: only tensors with z (a step taken) move.
        var adamw = new ScheduleFreeAdamW();
        float[] stepped = { 1f, 2f }, fresh = { 3f, 4f };
        adamw.Add(stepped, new[] { 0.5f, -0.5f });
        adamw.Eval();
        Assert.Equal(new[] { 1f, 2f }, stepped);
        adamw.Train();
        adamw.Step();
        adamw.Step(); // after one step y = z = x: nothing would move
        adamw.Add(fresh, new float[2]);
        float[] y = (float[])stepped.Clone();

        adamw.Eval();

        Assert.NotEqual(y, stepped);
        Assert.Equal(new[] { 3f, 4f }, fresh);
    }

    [Fact]
    public void EvalNeedsANonZeroBeta()
    {
        var sgd = new ScheduleFreeSGD { Momentum = 0f };
        float[] p = { 1f };
        sgd.Add(p, new[] { 1f });
        sgd.Step();
        float y = p[0];

        Assert.Throws<InvalidOperationException>(sgd.Eval);
        Assert.True(sgd.TrainMode);
        Assert.Equal(y, p[0]);
    }

    [Fact]
    public void SwitchingAllocatesNothingOnceTheTensorsAreKnown()
    {
        var adamw = new ScheduleFreeAdamW();
        for (int i = 0; i < 3; i++)
        {
            adamw.Add(KernelCases.Values(100 + i, seed: i, scale: 1f), KernelCases.Values(100 + i, seed: 10 + i, scale: 1f));
        }

        adamw.Step();
        adamw.Eval();
        adamw.Train();

        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(() => { adamw.Eval(); adamw.Train(); }, steps: 20));
    }
}
