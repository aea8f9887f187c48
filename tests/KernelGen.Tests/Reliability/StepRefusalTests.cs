using System;
using System.Threading;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests.Reliability;

/// <summary>
/// Steps a hostile user provokes: a bad group among good ones, gradients that overflow once
/// unscaled, counters at their end, calls from two threads. Every refusal leaves the whole model
/// as it was; a skipped step skips every group.
/// </summary>
public sealed class StepRefusalTests
{
    private static (ParameterGroups Groups, AdamW First, AdamW Second, float[] FirstGradient, float[] SecondGradient) TwoGroups(
        NonFiniteGradientPolicy policy)
    {
        var first = new AdamW { LearningRate = 0.01f, NonFiniteGradients = policy };
        var second = new AdamW { LearningRate = 0.01f, WeightDecay = 0f, NonFiniteGradients = policy };
        float[] firstGradient = { 0.5f, -0.25f, 1f };
        float[] secondGradient = { 0.125f, 2f };
        first.Add(new float[] { 1f, 2f, 3f }, firstGradient);
        first.Add(new float[] { 4f }, new[] { 0.75f });
        second.Add(new float[] { -1f, -2f }, secondGradient);
        var groups = new ParameterGroups(first, second);
        groups.Step();
        return (groups, first, second, firstGradient, secondGradient);
    }

    [Fact]
    public void ABadHyperParameterInALaterGroupChangesNoGroup()
    {
        var (groups, _, second, _, _) = TwoGroups(NonFiniteGradientPolicy.Ignore);
        second.LearningRate = -1f;
        StateHash.Refused<ArgumentOutOfRangeException>(groups.Step, new[] { "LearningRate" }, groups);
        second.LearningRate = float.NaN;
        StateHash.Refused<ArgumentOutOfRangeException>(groups.Step, new[] { "LearningRate" }, groups);
    }

    [Fact]
    public void ANonFiniteGradientInALaterGroupUnderThrowChangesNoGroupAndNamesTheModelsTensor()
    {
        var (groups, _, _, _, secondGradient) = TwoGroups(NonFiniteGradientPolicy.Throw);
        secondGradient[1] = float.NaN;
        var exception = StateHash.Refused<NonFiniteGradientException>(groups.Step, new[] { "tensor 2 (in group 1)", "element 1", "changed nothing" }, groups);
        Assert.Equal(2, exception.Tensor); // two tensors in group 0, then the first of group 1
        Assert.Equal(1, exception.Element);
    }

    [Fact]
    public void ANonFiniteGradientInAnyGroupUnderSkipSkipsTheWholeStep()
    {
        var (groups, first, second, _, secondGradient) = TwoGroups(NonFiniteGradientPolicy.Skip);
        secondGradient[0] = float.PositiveInfinity;
        string before = StateHash.Of(groups);
        groups.Step();
        Assert.Equal(before, StateHash.Of(groups));
        Assert.True(first.LastStepSkipped && second.LastStepSkipped);
        Assert.Equal(1, first.SkippedSteps);
        Assert.Equal(1, second.SkippedSteps);

        secondGradient[0] = 0.125f;
        groups.Step();
        Assert.False(first.LastStepSkipped || second.LastStepSkipped);
        Assert.Equal(2, first.Tensors[0].Step);
        Assert.Equal(2, second.Tensors[0].Step);
    }

    [Fact]
    public void AGroupUnderIgnoreIsSkippedWithTheOthers()
    {
        var (groups, first, second, firstGradient, _) = TwoGroups(NonFiniteGradientPolicy.Ignore);
        second.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        firstGradient[0] = float.NaN; // group 0 does not look: its NaN would flow in
        groups.Step();
        Assert.False(second.LastStepSkipped);
        Assert.True(float.IsNaN(first.Tensors[0].Parameter.Span[0]));

        var (groups2, first2, second2, _, secondGradient2) = TwoGroups(NonFiniteGradientPolicy.Ignore);
        second2.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        secondGradient2[1] = float.NaN;
        string before = StateHash.Of(groups2);
        groups2.Step();
        Assert.Equal(before, StateHash.Of(groups2));
        Assert.True(first2.LastStepSkipped);
    }

    [Fact]
    public void AGradientScaleWithAnInfiniteReciprocalIsRefused()
    {
        var sgd = new SGD();
        sgd.Add(new float[4], new float[4]);
        foreach (float scale in new[] { 1e-39f, float.Epsilon, 0f, -1f, float.NaN, float.PositiveInfinity })
        {
            StateHash.Refused<ArgumentOutOfRangeException>(() => sgd.GradientScale = scale, new[] { "reciprocal" }, sgd);
        }

        sgd.GradientScale = 1e-38f; // 1e38 as a factor: finite
        Assert.Equal(1e-38f, sgd.GradientScale);
    }

    [Theory]
    [InlineData(NonFiniteGradientPolicy.Skip)]
    [InlineData(NonFiniteGradientPolicy.Throw)]
    public void AFiniteGradientThatOverflowsOnceUnscaledIsCaught(NonFiniteGradientPolicy policy)
    {
        var sgd = new SGD { LearningRate = 0.1f, GradientScale = 0.5f, NonFiniteGradients = policy };
        float[] parameter = { 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f };
        float[] gradient = new float[9];
        sgd.Add(parameter, gradient);
        gradient[7] = 3e38f; // finite; 6e38 once multiplied by 1 / 0.5
        if (policy == NonFiniteGradientPolicy.Throw)
        {
            StateHash.Refused<NonFiniteGradientException>(sgd.Step, new[] { "tensor 0", "element 7", "once unscaled" }, sgd);
            StateHash.Refused<NonFiniteGradientException>(sgd.StepWithRule, new[] { "once unscaled" }, sgd);
        }
        else
        {
            string before = StateHash.Of(sgd);
            sgd.Step();
            Assert.True(sgd.LastStepSkipped);
            Assert.Equal(before, StateHash.Of(sgd));
        }

        gradient[7] = 1.5e38f; // 3e38 once unscaled: finite, so stepped
        sgd.Step();
        Assert.False(sgd.LastStepSkipped);
        Assert.True(float.IsFinite(parameter[7]));
    }

    [Fact]
    public void AStepCountAtItsEndIsRefusedBeforeItWraps()
    {
        var sgd = new SGD { LearningRate = 0.1f };
        sgd.Add(new float[] { 1f }, new[] { 1f });
        ParameterTensor tensor = sgd.Add(new float[] { 2f }, new[] { 1f });
        tensor.Step = int.MaxValue - 1;
        sgd.Step(); // the rule sees step int.MaxValue
        Assert.Equal(int.MaxValue, tensor.Step);
        StateHash.Refused<InvalidOperationException>(sgd.Step, new[] { "Tensor 1", "2147483647 steps", "overflow" }, sgd);
        StateHash.Refused<InvalidOperationException>(sgd.StepWithInterpreter, new[] { "overflow" }, sgd);
    }

    [Fact]
    public void ACallInsideAStepIsRefusedNamingBothCalls()
    {
        var optimizer = new ReentrantRule();
        optimizer.Add(new float[4], new float[4]);
        optimizer.DuringStep = () => optimizer.Add(new float[4], new float[4]);
        var exception = StateHash.Refused<InvalidOperationException>(optimizer.Step, new[] { "Add was called while Step was running" }, optimizer);
        Assert.Single(optimizer.Tensors);

        optimizer.DuringStep = optimizer.Step;
        StateHash.Refused<InvalidOperationException>(optimizer.Step, new[] { "Step was called while Step was running" }, optimizer);

        // The refusal left the optimizer usable.
        optimizer.DuringStep = null;
        optimizer.Step();
        Assert.Equal(1, optimizer.Tensors[0].Step);
        Assert.NotNull(exception);
    }

    [Fact]
    public void AGroupInAnotherCallRefusesTheGroupsStepBeforeAnyGroupSteps()
    {
        var busy = new ReentrantRule();
        var plain = new SGD { LearningRate = 0.1f };
        plain.Add(new float[] { 1f }, new[] { 1f });
        busy.Add(new float[2], new float[] { 1f, 1f });
        var groups = new ParameterGroups(plain, busy);
        busy.DuringStep = groups.Step; // a callback that steps the groups from inside busy's own step
        StateHash.Refused<InvalidOperationException>(busy.Step, new[] { "Step was called while Step was running" }, groups);
    }

    [Fact]
    public void TwoThreadsSteppingOneOptimizerNeverCorruptIt()
    {
        // Every step either runs whole or is refused: the parameters are those of exactly as
        // many single-threaded steps as succeeded, and every tensor's count is that number.
        const int length = 1 << 20, perThread = 150;
        var shared = new SGD { LearningRate = 0.001f };
        float[] parameters = new float[length];
        float[] gradients = new float[length];
        gradients.AsSpan().Fill(1f);
        shared.Add(parameters.AsMemory(0, length / 2), gradients.AsMemory(0, length / 2));
        shared.Add(parameters.AsMemory(length / 2), gradients.AsMemory(length / 2));
        int succeeded = 0, refused = 0;
        using var start = new Barrier(2);
        void Run()
        {
            start.SignalAndWait();
            for (int i = 0; i < perThread; i++)
            {
                try
                {
                    shared.Step();
                    Interlocked.Increment(ref succeeded);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("Step was called while Step was running", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }

        var threads = new[] { new Thread(Run), new Thread(Run) };
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());
        Assert.Equal(2 * perThread, succeeded + refused);
        Assert.All(shared.Tensors, t => Assert.Equal(succeeded, t.Step));

        var reference = new SGD { LearningRate = 0.001f };
        float[] expected = new float[length];
        reference.Add(expected, gradients);
        for (int i = 0; i < succeeded; i++)
        {
            reference.Step();
        }

        Assert.True(expected.AsSpan().SequenceEqual(parameters), $"{succeeded} steps ran and {refused} were refused, but the parameters are not those of {succeeded} steps");
    }
}

/// <summary>A rule whose <see cref="Optimizer.BeforeStep"/> calls back into user code, as a game's callback might.</summary>
[Optimizer]
public sealed partial class ReentrantRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.1f;

    public Action? DuringStep { get; set; }

    protected override void BeforeStep() => DuringStep?.Invoke();

    [UpdateRule]
    private static void Update(ref float param, float grad, float learningRate)
    {
        param -= learningRate * grad;
    }
}
