using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using KernelGen.Samples.Digits;
using KernelGen.Tests.Kernels;
using KernelGen.Tests.Reliability;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// One optimizer step taken a tensor at a time (BeginStep, StepTensor, EndStep) gives the bits of
/// Step, in any order, and refuses what would make it differ.
/// </summary>
public class PerTensorStepTests
{
    private static readonly int[] TensorLengths = { 37, 0, 1037, 129, 5 };

    /// <summary>Each step's order of the tensors: registration order, reversed, then shuffled.</summary>
    private static int[] Order(int count, int step) => (step % 3) switch
    {
        0 => Enumerable.Range(0, count).ToArray(),
        1 => Enumerable.Range(0, count).Reverse().ToArray(),
        _ => Enumerable.Range(0, count).OrderBy(i => new Random(step * 31 + i).Next()).ToArray(),
    };

    private sealed class Model
    {
        public readonly Optimizer Optimizer;
        public readonly List<float[]> Gradients = new();

        public Model(Optimizer optimizer) => Optimizer = optimizer;

        public void Add(int length, int seed)
        {
            float[] gradient = new float[length];
            Gradients.Add(gradient);
            Optimizer.Add(KernelCases.Values(length, seed, scale: 1f), gradient);
        }

        public void ComputeGradient(int tensor, int step) =>
            KernelCases.QuadraticGradient(Optimizer.Tensors[tensor].Parameter.Span, Gradients[tensor], step, tensor);
    }

    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void StepsTakenATensorAtATimeEqualStep(string name, KernelPath path)
    {
        foreach (float scale in new[] { 1f, 512f })
        {
            var whole = new Model(Configure(KernelCases.Optimizers[name](), path, scale));
            var perTensor = new Model(Configure(KernelCases.Optimizers[name](), path, scale));
            for (int t = 0; t < TensorLengths.Length; t++)
            {
                whole.Add(TensorLengths[t], seed: t);
                perTensor.Add(TensorLengths[t], seed: t);
            }

            if (perTensor.Optimizer is Adan { MaxGradNorm: not 0f })
            {
                StateHash.Refused<NotSupportedException>(perTensor.Optimizer.BeginStep, new[] { "MaxGradNorm" }, perTensor.Optimizer);
                Assert.False(perTensor.Optimizer.IsStepOpen);
                return;
            }

            for (int step = 0; step < 7; step++)
            {
                if (step == 3)
                {
                    // A tensor registered later runs behind the others' step count.
                    whole.Add(61, seed: 99);
                    perTensor.Add(61, seed: 99);
                }

                int count = whole.Optimizer.Tensors.Count;
                for (int t = 0; t < count; t++)
                {
                    whole.ComputeGradient(t, step);
                }

                whole.Optimizer.Step();

                // As a backward pass would: each gradient is computed just before its tensor steps.
                perTensor.Optimizer.BeginStep();
                foreach (int t in Order(count, step))
                {
                    perTensor.ComputeGradient(t, step);
                    perTensor.Optimizer.StepTensor(perTensor.Optimizer.Tensors[t]);
                }

                perTensor.Optimizer.EndStep();
                Assert.Equal(StateHash.Of(whole.Optimizer), StateHash.Of(perTensor.Optimizer));
            }

            Assert.All(perTensor.Optimizer.Tensors.Take(TensorLengths.Length), t => Assert.Equal(7, t.Step));
        }
    }

    private static Optimizer Configure(Optimizer optimizer, KernelPath path, float scale)
    {
        optimizer.Path = path;
        optimizer.GradientScale = scale;
        return optimizer;
    }

    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void APerTensorStepAllocatesZeroBytes(string name, KernelPath path)
    {
        Optimizer o = KernelCases.Optimizers[name]();
        if (o is Adan { MaxGradNorm: not 0f })
        {
            return; // Refused, see StepsTakenATensorAtATimeEqualStep.
        }

        o.Path = path;
        o.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        for (int i = 0; i < 4; i++)
        {
            o.Add(KernelCases.Values(1000 + i, seed: i, scale: 1f), KernelCases.Values(1000 + i, seed: 100 + i, scale: 1f));
        }

        void PerTensorStep()
        {
            o.BeginStep();
            for (int t = o.Tensors.Count - 1; t >= 0; t--)
            {
                o.StepTensor(t);
            }

            o.EndStep();
        }

        Assert.Equal(0, AllocationTests.SteadyStateAllocation(PerTensorStep));
    }

    private static (Adam Optimizer, float[][] Gradients) ThreeTensors(NonFiniteGradientPolicy policy = NonFiniteGradientPolicy.Ignore)
    {
        var adam = new Adam { LearningRate = 0.01f, NonFiniteGradients = policy };
        var gradients = new float[3][];
        for (int t = 0; t < 3; t++)
        {
            gradients[t] = KernelCases.Values(20 + t, seed: 50 + t, scale: 1f);
            adam.Add(KernelCases.Values(20 + t, seed: t, scale: 1f), gradients[t]);
        }

        return (adam, gradients);
    }

    [Fact]
    public void TheUniformPartIsComputedOncePerStepNotOncePerTensor()
    {
        var (adam, _) = ThreeTensors();
        for (int step = 1; step <= 3; step++)
        {
            long before = adam.PreparedUniformsReused;
            adam.BeginStep();
            foreach (int t in Order(3, step))
            {
                adam.StepTensor(t);
            }

            adam.EndStep();
            // The first tensor computes the step's uniform part; the other two reuse it.
            Assert.Equal(2, adam.PreparedUniformsReused - before);
        }

        // A whole Step computes it once for all tensors at one step count, without the per-tensor cache.
        long beforeStep = adam.PreparedUniformsReused;
        adam.Step();
        Assert.Equal(beforeStep, adam.PreparedUniformsReused);

        // Kept values never outlive their step: a tensor registered now is at another step count.
        var late = new float[8];
        adam.Add(KernelCases.Values(8, seed: 9, scale: 1f), late);
        long beforeLate = adam.PreparedUniformsReused;
        adam.BeginStep();
        adam.StepTensor(3);   // step count 1: computes its own
        adam.StepTensor(0);   // step count 5: computes the step's
        adam.StepTensor(1);   // reuses step 5's
        adam.StepTensor(2);   // reuses step 5's
        adam.EndStep();
        Assert.Equal(2, adam.PreparedUniformsReused - beforeLate);
    }

    [Fact]
    public void RulesWhoseUniformPartIsPerTensorComputeItForEveryTensor()
    {
        // NAdam's momentum product is per-tensor state: its uniform part cannot be shared.
        var nadam = new NAdam();
        for (int t = 0; t < 3; t++)
        {
            nadam.Add(KernelCases.Values(16, seed: t, scale: 1f), KernelCases.Values(16, seed: 10 + t, scale: 1f));
        }

        nadam.BeginStep();
        for (int t = 0; t < 3; t++)
        {
            nadam.StepTensor(t);
        }

        nadam.EndStep();
        Assert.Equal(0, nadam.PreparedUniformsReused);
    }

    [Fact]
    public void ATensorSteppedTwiceInOneStepIsRefusedAndTheStepCanStillEnd()
    {
        var (adam, _) = ThreeTensors();
        adam.BeginStep();
        adam.StepTensor(1);
        StateHash.Refused<InvalidOperationException>(() => adam.StepTensor(1), new[] { "Tensor 1 was already stepped" }, adam);
        StateHash.Refused<InvalidOperationException>(adam.EndStep, new[] { "2 of the 3 tensors", "the first is tensor 0", "stays open" }, adam);
        Assert.True(adam.IsStepOpen);
        adam.StepTensor(0);
        adam.StepTensor(adam.Tensors[2]);
        adam.EndStep();
        Assert.False(adam.IsStepOpen);
        Assert.All(adam.Tensors, t => Assert.Equal(1, t.Step));
    }

    [Fact]
    public void CallsOutsideAnOpenStepAndForeignTensorsAreRefused()
    {
        var (adam, _) = ThreeTensors();
        var other = new Adam();
        ParameterTensor foreign = other.Add(new float[3], new float[3]);
        StateHash.Refused<InvalidOperationException>(() => adam.StepTensor(0), new[] { "no per-tensor step open", "BeginStep first" }, adam);
        StateHash.Refused<InvalidOperationException>(adam.EndStep, new[] { "EndStep was called with no per-tensor step open" }, adam);

        adam.BeginStep();
        StateHash.Refused<ArgumentException>(() => adam.StepTensor(foreign), new[] { "not registered with this optimizer" }, adam);
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.StepTensor(3));
        StateHash.Refused<InvalidOperationException>(adam.Step, new[] { "Step was called while a per-tensor step was open" }, adam);
        StateHash.Refused<InvalidOperationException>(() => adam.Add(new float[2], new float[2]), new[] { "Add was called while a per-tensor step was open" }, adam);
        StateHash.Refused<InvalidOperationException>(adam.BeginStep, new[] { "per-tensor step was open" }, adam);
    }

    [Fact]
    public void HyperparametersAreValidatedOnceAndMayNotChangeDuringTheStep()
    {
        var (adam, _) = ThreeTensors();
        adam.Beta1 = 1.5f;
        StateHash.Refused<ArgumentOutOfRangeException>(adam.BeginStep, new[] { "1.5" }, adam);
        Assert.False(adam.IsStepOpen);
        adam.Beta1 = 0.9f;

        adam.BeginStep();
        adam.StepTensor(0);
        adam.LearningRate = -1f; // would not pass validation: a step with it is refused, not taken
        StateHash.Refused<InvalidOperationException>(() => adam.StepTensor(1), new[] { "LearningRate changed from 0.01 to -1", "after EndStep" }, adam);
        adam.LearningRate = 0.01f;
        adam.GradientScale = 2f;
        StateHash.Refused<InvalidOperationException>(() => adam.StepTensor(1), new[] { "GradientScale changed from 1 to 2" }, adam);
        adam.GradientScale = 1f;
        adam.StepTensor(1);
        adam.StepTensor(2);
        adam.EndStep();

        var (reference, _) = ThreeTensors();
        reference.Step();
        Assert.Equal(StateHash.Of(reference), StateHash.Of(adam));
    }

    [Fact]
    public void UnderThrowTheTensorIsUntouchedAndStaysToBeStepped()
    {
        var (adam, gradients) = ThreeTensors(NonFiniteGradientPolicy.Throw);
        var (reference, _) = ThreeTensors(NonFiniteGradientPolicy.Throw);
        reference.Step();

        adam.BeginStep();
        adam.StepTensor(2);
        float kept = gradients[0][4];
        gradients[0][4] = float.NaN;
        var error = StateHash.Refused<NonFiniteGradientException>(() => adam.StepTensor(0), new[] { "tensor 0", "element 4" }, adam);
        Assert.Equal(0, error.Tensor);
        gradients[0][4] = kept;
        adam.StepTensor(0);
        adam.StepTensor(1);
        adam.EndStep();
        Assert.Equal(StateHash.Of(reference), StateHash.Of(adam));
    }

    /// <summary>One per-tensor step over the tensors in <paramref name="order"/>.</summary>
    private static void StepEachTensor(Optimizer optimizer, params int[] order)
    {
        optimizer.BeginStep();
        foreach (int t in order)
        {
            optimizer.StepTensor(t);
        }

        optimizer.EndStep();
    }

    private static float[] ParameterAndState(ParameterTensor tensor) =>
        Enumerable.Range(0, tensor.StateCount).Aggregate(tensor.Parameter.ToArray(), (all, i) => all.Concat(tensor.State(i).ToArray()).ToArray());

    [Fact]
    public void UnderSkipOnlyTheTensorWithANonFiniteGradientIsSkipped()
    {
        var (adam, gradients) = ThreeTensors(NonFiniteGradientPolicy.Skip);
        ParameterTensor skipped = adam.Tensors[1];
        string before = StateHash.Of(ParameterAndState(skipped));
        gradients[1][0] = float.PositiveInfinity;

        StepEachTensor(adam, 0, 1, 2);

        Assert.True(adam.LastStepSkipped);
        Assert.Equal(1, adam.SkippedSteps);
        Assert.Equal(new[] { 1, 0, 1 }, adam.Tensors.Select(t => t.Step));
        Assert.Equal(before, StateHash.Of(ParameterAndState(skipped)));

        // The others took the step Step takes on them (a tensor's step reads only its own memory).
        var reference = new Adam { LearningRate = 0.01f };
        foreach (int t in new[] { 0, 2 })
        {
            reference.Add(KernelCases.Values(20 + t, seed: t, scale: 1f), gradients[t]);
        }

        reference.Step();
        Assert.Equal(reference.Tensors[0].Parameter.ToArray(), adam.Tensors[0].Parameter.ToArray());
        Assert.Equal(reference.Tensors[1].Parameter.ToArray(), adam.Tensors[2].Parameter.ToArray());

        gradients[1][0] = 0.5f;
        StepEachTensor(adam, 0, 1, 2);
        Assert.False(adam.LastStepSkipped);
        Assert.Equal(1, adam.SkippedSteps);
        Assert.Equal(new[] { 2, 1, 2 }, adam.Tensors.Select(t => t.Step));
    }

    [Fact]
    public void ACallbackInsideBeginStepCannotStepAHalfOpenStep()
    {
        var optimizer = new ReentrantRule();
        optimizer.Add(new float[4], new float[] { 1f, 1f, 1f, 1f });
        optimizer.DuringStep = () => optimizer.StepTensor(0);
        StateHash.Refused<InvalidOperationException>(optimizer.BeginStep, new[] { "StepTensor was called while BeginStep, StepTensor or EndStep was running" }, optimizer);
        Assert.False(optimizer.IsStepOpen);

        optimizer.DuringStep = optimizer.BeginStep;
        StateHash.Refused<InvalidOperationException>(optimizer.Step, new[] { "was called while Step was running" }, optimizer);

        optimizer.DuringStep = null;
        optimizer.BeginStep();
        optimizer.StepTensor(0);
        optimizer.EndStep();
        Assert.Equal(1, optimizer.Tensors[0].Step);
    }

    [Fact]
    public void AGroupMemberStepsItsTensorsInsideTheGroupsStep()
    {
        (ParameterGroups Groups, AdamW Decayed, SGD Plain) Build()
        {
            var decayed = new AdamW { LearningRate = 0.01f, WeightDecay = 0.1f };
            var plain = new SGD { LearningRate = 0.1f, Momentum = 0.9f };
            decayed.Add(KernelCases.Values(40, seed: 1, scale: 1f), KernelCases.Values(40, seed: 2, scale: 1f));
            decayed.Add(KernelCases.Values(17, seed: 3, scale: 1f), KernelCases.Values(17, seed: 4, scale: 1f));
            plain.Add(KernelCases.Values(9, seed: 5, scale: 1f), KernelCases.Values(9, seed: 6, scale: 1f));
            return (new ParameterGroups(decayed, plain), decayed, plain);
        }

        var whole = Build();
        var perTensor = Build();
        for (int step = 0; step < 3; step++)
        {
            whole.Groups.Step();
            perTensor.Groups.BeginStep();
            perTensor.Decayed.StepTensor(1);
            perTensor.Plain.StepTensor(0);
            if (step == 0)
            {
                StateHash.Refused<InvalidOperationException>(perTensor.Groups.EndStep, new[] { "of group 0", "the first is tensor 0" }, perTensor.Groups);
                StateHash.Refused<InvalidOperationException>(perTensor.Groups.Step, new[] { "per-tensor step was open" }, perTensor.Groups);
            }

            perTensor.Decayed.StepTensor(0);
            perTensor.Groups.EndStep();
            Assert.Equal(StateHash.Of(whole.Groups), StateHash.Of(perTensor.Groups));
        }

        // All or nothing: a bad group opens no group's step.
        perTensor.Plain.Momentum = -1f;
        StateHash.Refused<ArgumentOutOfRangeException>(perTensor.Groups.BeginStep, new[] { "-1" }, perTensor.Groups);
        Assert.False(perTensor.Decayed.IsStepOpen);
        Assert.False(perTensor.Plain.IsStepOpen);
    }

    [Fact]
    public void ACheckpointWaitsForTheEndOfThePerTensorStep()
    {
        var (adam, _) = ThreeTensors();
        var (reference, _) = ThreeTensors();
        var options = new CheckpointOptions { IncludeParameters = true };
        var saved = new MemoryStream();
        Checkpoint.Save(adam, saved, options);

        adam.BeginStep();
        adam.StepTensor(0);
        Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(adam, new MemoryStream()));
        StateHash.Refused<InvalidOperationException>(() => Checkpoint.Load(adam, new MemoryStream(saved.ToArray())), new[] { "per-tensor step was open" }, adam);
        adam.StepTensor(2);
        adam.StepTensor(1);
        adam.EndStep();

        var after = new MemoryStream();
        Checkpoint.Save(adam, after, options);
        Checkpoint.Load(reference, new MemoryStream(after.ToArray()), options);
        Assert.Equal(StateHash.Of(adam), StateHash.Of(reference));
    }

    [Fact]
    public void TheDigitsDemoSteppedInTheBackwardPassTrainsTheSameModel()
    {
        DigitsData data = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz"));
        var inBackward = new Options(new[] { "AdamW" }, Epochs: 3, Batch: 32, Seed: 1, StepInBackward: true, Clip: false);
        Result stepped = Trainer.Run("AdamW", data, inBackward, verbose: false)!;
        Result after = Trainer.Run("AdamW", data, inBackward with { StepInBackward = false }, verbose: false)!;

        Assert.Equal(after.ParameterHash, stepped.ParameterHash);
        Assert.Equal(after.TestAccuracy, stepped.TestAccuracy);
        Assert.True(stepped.TestAccuracy > 0.5, $"test accuracy {stepped.TestAccuracy:P1}");
        Assert.Equal(0, stepped.BytesPerStep);
    }

    /// <summary>docs/training.md's example, verbatim but for the backward pass and the comparison with Step.</summary>
    [Fact]
    public void TheDocsExampleStepsAsStepDoes()
    {
        var first = new float[64 * 64];  var firstGradient = new float[64 * 64];
        var last = new float[10 * 64];   var lastGradient = new float[10 * 64];
        var adam = new AdamW { LearningRate = 1e-3f };
        ParameterTensor firstLayer = adam.Add(first, firstGradient);
        ParameterTensor lastLayer = adam.Add(last, lastGradient);

        var reference = new AdamW { LearningRate = 1e-3f };
        float[] referenceFirstGradient = new float[first.Length], referenceLastGradient = new float[last.Length];
        reference.Add(new float[first.Length], referenceFirstGradient);
        reference.Add(new float[last.Length], referenceLastGradient);

        void BackwardLastLayer(float[] gradient) => KernelCases.QuadraticGradient(last, gradient, step: 0, tensor: 1);
        void BackwardFirstLayer(float[] gradient) => KernelCases.QuadraticGradient(first, gradient, step: 0, tensor: 0);

        for (int step = 0; step < 100; step++)
        {
            adam.BeginStep();                  // checks the hyper-parameters and step counts, once
            BackwardLastLayer(lastGradient);   // the last layer's gradient is complete first:
            adam.StepTensor(lastLayer);        // it steps at once
            BackwardFirstLayer(firstGradient); // (the first layer's gradient no longer reads `last`)
            adam.StepTensor(firstLayer);
            adam.EndStep();                    // every tensor stepped once: one optimizer step

            KernelCases.QuadraticGradient(reference.Tensors[0].Parameter.Span, referenceFirstGradient, step: 0, tensor: 0);
            KernelCases.QuadraticGradient(reference.Tensors[1].Parameter.Span, referenceLastGradient, step: 0, tensor: 1);
            reference.Step();
        }

        Assert.Equal(StateHash.Of(reference), StateHash.Of(adam));
        Assert.Equal(100, lastLayer.Step);
    }

    [Fact]
    public void TwoThreadsSteppingTensorsOfOneStepAreRefusedOrStepWhole()
    {
        // A StepTensor that overlaps another is refused and changes nothing; retried, it steps:
        // the result is that of Step, however the calls met.
        const int length = 1 << 19, steps = 12;
        Adam Build(out float[] gradient)
        {
            var adam = new Adam { LearningRate = 0.001f };
            gradient = KernelCases.Values(2 * length, seed: 7, scale: 1f);
            adam.Add(new float[length], gradient.AsMemory(0, length));
            adam.Add(new float[length], gradient.AsMemory(length));
            return adam;
        }

        Adam shared = Build(out _), reference = Build(out _);
        int refused = 0;
        void StepUntilAccepted(int tensor)
        {
            while (true)
            {
                try
                {
                    shared.StepTensor(tensor);
                    return;
                }
                catch (InvalidOperationException e) when (e.Message.Contains("StepTensor was called while BeginStep, StepTensor or EndStep was running", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }

        for (int step = 0; step < steps; step++)
        {
            shared.BeginStep();
            var threads = new[] { new Thread(() => StepUntilAccepted(0)), new Thread(() => StepUntilAccepted(1)) };
            Array.ForEach(threads, t => t.Start());
            Array.ForEach(threads, t => t.Join());
            shared.EndStep();
            reference.Step();
        }

        Assert.True(StateHash.Of(reference) == StateHash.Of(shared), $"{refused} calls were refused, and the result differs from Step's");
    }

    [Fact]
    public void AScheduleFreeModeSwitchWaitsForTheEndOfThePerTensorStep()
    {
        var optimizer = new ScheduleFreeAdamW();
        optimizer.Add(KernelCases.Values(30, seed: 1, scale: 1f), KernelCases.Values(30, seed: 2, scale: 1f));
        optimizer.Add(KernelCases.Values(9, seed: 3, scale: 1f), KernelCases.Values(9, seed: 4, scale: 1f));
        optimizer.BeginStep();
        optimizer.StepTensor(1);
        StateHash.Refused<InvalidOperationException>(optimizer.Eval, new[] { "Eval or Train was called while a per-tensor step was open" }, optimizer);
        optimizer.StepTensor(0);
        optimizer.EndStep();
        optimizer.Eval();
        Assert.False(optimizer.TrainMode);
    }
}
