using System;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>Many tensors, groups with their own hyper-parameters, hyper-parameters changed between steps.</summary>
public class MultiTensorTests
{
    [Fact]
    public void EveryTensorIsSteppedWithItsGroupsHyperparameters()
    {
        var decayed = new AdamW { LearningRate = 0.1f, WeightDecay = 0.5f };
        var plain = new AdamW { LearningRate = 0.1f, WeightDecay = 0f };
        float[] w = { 1f, 2f, 3f }, gw = { 0.1f, 0.1f, 0.1f };
        float[] b = { 1f, 2f }, gb = { 0.1f, 0.1f };
        decayed.Add(w, gw);
        plain.Add(b, gb);
        new ParameterGroups(decayed, plain).Step();

        Assert.Equal(Reference(new[] { 1f, 2f, 3f }, gw, 0.1f, 0.5f), w);
        Assert.Equal(Reference(new[] { 1f, 2f }, gb, 0.1f, 0f), b);
        // The groups' settings differ in effect: with decay, the first weight moves further.
        Assert.NotEqual(b[0], w[0]);
    }

    [Fact]
    public void HyperparametersChangedBetweenStepsTakeEffect()
    {
        var sgd = new SGD { LearningRate = 1f };
        float[] p = { 0f }, g = { 1f };
        sgd.Add(p, g);
        sgd.Step();
        Assert.Equal(-1f, p[0]);
        Assert.True(sgd.TrySetHyperparameter("lr", 0.5));
        sgd.Step();
        Assert.Equal(-1.5f, p[0]);
        sgd.LearningRate = 0.25f;
        sgd.Step();
        Assert.Equal(-1.75f, p[0]);
    }

    [Fact]
    public void ManyTensorsStepWithoutAllocating()
    {
        var adam = new Adam();
        var other = new SGD { Momentum = 0.9f };
        for (int i = 0; i < 100; i++)
        {
            adam.Add(new float[10 + i * 7], new float[10 + i * 7]);
            other.Add(new float[3 + i], new float[3 + i]);
        }

        var groups = new ParameterGroups(adam, other);
        Assert.Equal(0, Kernels.AllocationTests.SteadyStateAllocation(groups.Step));
        Assert.True(adam.Tensors[99].Step >= 50);
    }

    [Fact]
    public void StateIsAllocatedAtRegistrationAndAligned()
    {
        var adam = new Adam();
        ParameterTensor tensor = adam.Add(new float[37], new float[37]);
        Assert.Equal(3, tensor.StateCount);
        for (int i = 0; i < tensor.StateCount; i++)
        {
            Assert.Equal(37, tensor.State(i).Length);
            unsafe
            {
                fixed (float* address = tensor.State(i))
                {
                    Assert.Equal(0, (long)address % AlignedBuffer.Alignment);
                }
            }
        }
    }

    [Fact]
    public void GroupsRefuseDuplicatesAndEmptiness()
    {
        var sgd = new SGD();
        Assert.Throws<ArgumentException>(() => new ParameterGroups());
        Assert.Throws<ArgumentException>(() => new ParameterGroups(sgd, sgd));
        Assert.Throws<ArgumentException>(() => new ParameterGroups(sgd, null!));
        Assert.Throws<ArgumentException>(() => sgd.Add(new float[3], new float[4]));
    }

    private static float[] Reference(float[] p, float[] g, float lr, float wd)
    {
        var m = new float[p.Length];
        var v = new float[p.Length];
        AdamW.ApplyWithRule(p, g, m, v, new float[p.Length], lr, 0.9f, 0.999f, 1e-8f, wd, false, false, 1);
        return p;
    }
}
