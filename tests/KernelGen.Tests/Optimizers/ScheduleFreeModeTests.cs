using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
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
    public static IEnumerable<object[]> Cases() => RecordedCases.OnEveryPath("modes-");

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainEvalRoundTripMatchesTheReference(string caseName, KernelPath path)
    {
        JsonElement c = RecordedCases.Load(caseName);
        Assert.True(BuiltInOptimizers.TryCreate(c.GetProperty("optimizer").GetString()!, out Optimizer? optimizer));
        RecordedCases.SetHyper(optimizer, c.GetProperty("hyper"));
        optimizer.Path = path;
        float[][] parameters = RecordedCases.Tensors(c.GetProperty("params")).Select(p => (float[])p.Clone()).ToArray();
        float[][][] grads = RecordedCases.Steps(c.GetProperty("grads"));
        var gradients = parameters.Select(p => new float[p.Length]).ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            optimizer.Add(parameters[i], gradients[i]);
        }

        int before = c.GetProperty("steps_before").GetInt32();
        float[][][] expectedBefore = RecordedCases.Steps(c.GetProperty("expected_before"));
        float[][][] expectedAfter = RecordedCases.Steps(c.GetProperty("expected_after"));
        void Run(int step, float[][] expected)
        {
            for (int i = 0; i < gradients.Length; i++)
            {
                grads[step][i].CopyTo(gradients[i], 0);
            }

            optimizer.Step();
            RecordedCases.AssertClose(expected, parameters, $"{caseName} on {path}, after step {step + 1}");
        }

        for (int s = 0; s < before; s++)
        {
            Run(s, expectedBefore[s]);
        }

        Mode(optimizer).Eval();
        Assert.False(Mode(optimizer).TrainMode);
        RecordedCases.AssertClose(RecordedCases.Tensors(c.GetProperty("eval")), parameters, $"{caseName} on {path}, after eval()");
        Mode(optimizer).Eval();
        RecordedCases.AssertClose(RecordedCases.Tensors(c.GetProperty("eval_again")), parameters, $"{caseName} on {path}, after a second eval()");
        Mode(optimizer).Train();
        Assert.True(Mode(optimizer).TrainMode);
        RecordedCases.AssertClose(RecordedCases.Tensors(c.GetProperty("train")), parameters, $"{caseName} on {path}, after train()");
        for (int s = 0; s < expectedAfter.Length; s++)
        {
            Run(before + s, expectedAfter[s]);
        }
    }

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

    private static IScheduleFree Mode(Optimizer optimizer) => (IScheduleFree)optimizer;
}
