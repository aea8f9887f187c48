using System;
using Xunit;

namespace KernelGen.Tests.Reliability;

/// <summary>
/// Registration as a careless user tries it: memory that a step would update twice, or read after
/// writing, is refused when the tensor is added (or the groups are combined), naming the tensor
/// it collides with; buffers that only share what a step reads are accepted.
/// </summary>
public sealed class RegistrationTests
{
    [Fact]
    public void TheSameParameterTwiceIsRefused()
    {
        var sgd = new SGD { LearningRate = 0.1f };
        float[] parameter = new float[8];
        sgd.Add(parameter, new float[8]);
        StateHash.Refused<ArgumentException>(() => sgd.Add(parameter, new float[8]), new[] { "parameter overlaps the parameter of tensor 0" }, sgd);
        Assert.Single(sgd.Tensors);
    }

    [Fact]
    public void ParametersSharingElementsAreRefusedAndDisjointSlicesAccepted()
    {
        var sgd = new SGD();
        float[] model = new float[100];
        sgd.Add(model.AsMemory(0, 40), new float[40]);
        sgd.Add(model.AsMemory(60, 40), new float[40]);
        StateHash.Refused<ArgumentException>(() => sgd.Add(model.AsMemory(39, 2), new float[2]), new[] { "overlaps the parameter of tensor 0" }, sgd);
        StateHash.Refused<ArgumentException>(() => sgd.Add(model.AsMemory(50, 11), new float[11]), new[] { "overlaps the parameter of tensor 1" }, sgd);
        sgd.Add(model.AsMemory(40, 20), new float[20]);
        Assert.Equal(3, sgd.Tensors.Count);
    }

    [Fact]
    public void OneTensorsParameterAsAnothersGradientIsRefusedEitherWay()
    {
        var sgd = new SGD { LearningRate = 0.1f };
        float[] p0 = new float[4], g0 = new float[4];
        sgd.Add(p0, g0);
        StateHash.Refused<ArgumentException>(() => sgd.Add(g0, new float[4]), new[] { "parameter overlaps the gradient of tensor 0" }, sgd);
        StateHash.Refused<ArgumentException>(() => sgd.Add(new float[4], p0), new[] { "gradient overlaps the parameter of tensor 0" }, sgd);

        // What was accepted before: with p1 = g0, one step of lr 0.1 on gradient 1 left p[0] at -0.2.
        g0.AsSpan().Fill(1f);
        sgd.Step();
        Assert.Equal(-0.1f, p0[0]);
        Assert.Equal(1f, g0[0]);
    }

    [Fact]
    public void AStateBufferAsAParameterIsRefused()
    {
        var sgd = new SGD { Momentum = 0.9f };
        ParameterTensor tensor = sgd.Add(new float[16], new float[16]);
        StateHash.Refused<ArgumentException>(() => sgd.Add(tensor.StateMemory(0), new float[16]), new[] { "state buffer of tensor 0" }, sgd);
    }

    [Fact]
    public void GradientsMayBeSharedSinceAStepOnlyReadsThem()
    {
        var sgd = new SGD { LearningRate = 0.5f };
        float[] gradient = { 1f, 2f, 3f, 4f };
        float[] a = new float[4], b = new float[2];
        sgd.Add(a, gradient);
        sgd.Add(b, gradient.AsMemory(1, 2));
        sgd.Step();
        Assert.Equal(new[] { -0.5f, -1f, -1.5f, -2f }, a);
        Assert.Equal(new[] { -1f, -1.5f }, b);
    }

    [Fact]
    public void OneArrayInTwoGroupsIsRefusedWhenTheGroupsAreCombined()
    {
        float[] shared = new float[10];
        var decayed = new AdamW();
        var plain = new AdamW { WeightDecay = 0f };
        decayed.Add(shared, new float[10]);
        plain.Add(shared.AsMemory(5, 5), new float[5]);
        var exception = Assert.Throws<ArgumentException>(() => new ParameterGroups(decayed, plain));
        Assert.Contains("tensor 0 of group 1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("the parameter of tensor 0 of group 0", exception.Message, StringComparison.Ordinal);

        // A refused combination changes nothing: each optimizer still checks only its own tensors.
        plain.Add(new float[3], new float[3]);
    }

    [Fact]
    public void AStateBufferOfOneGroupAsAnotherGroupsParameterIsRefused()
    {
        var first = new SGD { Momentum = 0.9f };
        var second = new SGD();
        ParameterTensor tensor = first.Add(new float[8], new float[8]);
        second.Add(tensor.StateMemory(0), new float[8]); // each optimizer alone cannot tell
        var exception = Assert.Throws<ArgumentException>(() => new ParameterGroups(second, first));
        Assert.Contains("state buffer", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ParameterGroups(first, second));
    }

    [Fact]
    public void ATensorAddedToAGroupLaterIsCheckedAgainstEveryGroup()
    {
        float[] weights = new float[10];
        var decayed = new AdamW();
        var plain = new AdamW { WeightDecay = 0f };
        decayed.Add(weights, new float[10]);
        var groups = new ParameterGroups(decayed, plain);
        StateHash.Refused<ArgumentException>(() => plain.Add(weights.AsMemory(2, 3), new float[3]), new[] { "the parameter of tensor 0 of group 0" }, groups);
        plain.Add(new float[3], new float[3]);
        groups.Step();
    }

    [Fact]
    public void ThousandsOfTensorsOfOneArrayRegisterQuickly()
    {
        // Two binary searches per registration: 20,000 tensors of one array take milliseconds,
        // where comparing each with every other would take 200 million comparisons.
        const int count = 20_000;
        float[] parameters = new float[count * 4];
        float[] gradients = new float[count * 4];
        var sgd = new SGD();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = count - 1; i >= 0; i--)
        {
            sgd.Add(parameters.AsMemory(i * 4, 4), gradients.AsMemory(i * 4, 4));
        }

        Assert.Equal(count, sgd.Tensors.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{count} registrations took {clock.Elapsed}");
        StateHash.Refused<ArgumentException>(() => sgd.Add(parameters.AsMemory(count * 2 + 1, 2), new float[2]), new[] { "overlaps the parameter of tensor" }, sgd);
    }

    [Fact]
    public void StateIndicesOutOfRangeAreArgumentErrors()
    {
        var adam = new Adam();
        ParameterTensor tensor = adam.Add(new float[4], new float[4]);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => tensor.State(99));
        Assert.Contains($"the index lies in [0, {tensor.StateCount - 1}]", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.StateMemory(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tensor.TensorState(0));
    }

    [Fact]
    public void AnAlignedBufferBeyondTheLongestArrayIsAnArgumentError()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(int.MaxValue));
        Assert.Contains("at most", exception.Message, StringComparison.Ordinal);
        Assert.Equal(Array.MaxLength - 15, AlignedBuffer.MaxLength);
    }
}
