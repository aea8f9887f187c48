using System;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>Hyper-parameters out of range are refused before a step writes anything, as torch refuses them.</summary>
public class ValidationTests
{
    public static TheoryData<string, string, double> OutOfRange() => new()
    {
        { "SGD", "lr", -0.1 },
        { "SGD", "momentum", -0.5 },
        { "SGD", "weight_decay", -1e-4 },
        { "Adam", "lr", -1e-3 },
        { "Adam", "betas[0]", 1.0 },
        { "Adam", "betas[1]", -0.1 },
        { "Adam", "eps", -1e-8 },
        { "AdamW", "weight_decay", -0.01 },
        { "AdamW", "lr", double.NaN },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void OutOfRangeStepChangesNothing(string optimizer, string name, double value)
    {
        Assert.True(BuiltInOptimizers.TryCreate(optimizer, out Optimizer? o));
        float[] p = { 1f, 2f, 3f }, g = { 0.5f, -0.5f, 0.25f };
        ParameterTensor tensor = o!.Add(p, g);
        Assert.True(o.TrySetHyperparameter(name, value));

        var error = Assert.ThrowsAny<ArgumentException>(o.Step);

        Assert.Contains(o.HyperparameterNames, n => error.ParamName == n);
        Assert.Equal(new[] { 1f, 2f, 3f }, p);
        Assert.Equal(0, tensor.Step);
        for (int i = 0; i < tensor.StateCount; i++)
        {
            Assert.All(tensor.State(i).ToArray(), x => Assert.Equal(0f, x));
        }
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(0.9f, 0.1f)]
    public void NesterovNeedsMomentumAndNoDampening(float momentum, float dampening)
    {
        var sgd = new SGD { Nesterov = true, Momentum = momentum, Dampening = dampening };
        float[] p = { 1f };
        sgd.Add(p, new[] { 1f });
        var error = Assert.Throws<ArgumentException>(sgd.Step);
        Assert.Equal(nameof(SGD.Nesterov), error.ParamName);
        Assert.Equal(1f, p[0]);
    }

    [Fact]
    public void BoundsAreInclusiveUnlessDeclaredExclusive()
    {
        var adam = new Adam { LearningRate = 0f, Beta1 = 0f, Epsilon = 0f };
        adam.Add(new float[2], new float[2]);
        adam.Step();
        Assert.Equal(1, adam.Tensors[0].Step);
    }
}

/// <summary>Buffers of a kernel call must have the same length and must not share memory.</summary>
public class BufferValidationTests
{
    [Fact]
    public void OverlappingBuffersAreRefusedBeforeAnyWrite()
    {
        float[] memory = { 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f };
        float[] before = (float[])memory.Clone();
        var error = Assert.Throws<ArgumentException>(() =>
            SGD.Apply(KernelPath.Auto, memory.AsSpan(0, 4), memory.AsSpan(2, 4), new float[4], 0.1f, 0.9f, 0f, 0f, false, false, 1));
        Assert.Equal("grad", error.ParamName);
        Assert.Equal(before, memory);

        error = Assert.Throws<ArgumentException>(() =>
            Adam.Apply(KernelPath.Auto, new float[4], new float[4], memory.AsSpan(0, 4), memory.AsSpan(3, 4), new float[4], 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, false, 1));
        Assert.Equal("expAvgSq", error.ParamName);
        Assert.Equal(before, memory);
    }

    [Fact]
    public void MismatchedLengthsNameTheArgument()
    {
        float[] p = { 1f, 2f, 3f };
        var error = Assert.Throws<ArgumentException>(() =>
            AdamW.Apply(KernelPath.Auto, p, new float[3], new float[3], new float[2], new float[3], 0.1f, 0.9f, 0.99f, 1e-8f, 0f, false, false, 1));
        Assert.Equal("expAvgSq", error.ParamName);
        Assert.Equal(new[] { 1f, 2f, 3f }, p);
    }

    [Fact]
    public void AnEmptyTensorIsANoOp()
    {
        SGD.Apply(KernelPath.Auto, Span<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, 0.1f, 0.9f, 0f, 0f, false, false, 1);
        var sgd = new SGD();
        sgd.Add(Memory<float>.Empty, Memory<float>.Empty);
        sgd.Step();
        Assert.Equal(1, sgd.Tensors[0].Step);
    }
}
