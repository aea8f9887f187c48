using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>
/// Every storage combination (parameter, gradient and states each float32, bfloat16 or half) on
/// every path: the kernels against the scalar rule (and the interpreter), and against float32
/// steps whose results are rounded to the storage types by hand.
/// </summary>
public class StorageStepTests
{
    private static readonly StateStorage[] Types = { StateStorage.Float32, StateStorage.BFloat16, StateStorage.Float16 };

    // Over two staging blocks, and a tail no vector covers.
    private const int Length = Optimizer.StagingBlock * 2 + 37;

    private const int Steps = 3;

    public static IEnumerable<object[]> Combinations() =>
        from optimizer in new[] { "AdamW", "SGD", "Lamb", "Adagrad", "ASGD" }
        from p in Types
        from g in Types
        from s in Types
        select new object[] { optimizer, p, g, s };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryPathGivesTheOraclesBitsAndTheRoundedFloat32Steps(string name, StateStorage parameter, StateStorage gradient, StateStorage state)
    {
        StoredCase reference = StoredCase.RoundedTwin(name, parameter, gradient, state);
        for (int step = 0; step < Steps; step++)
        {
            reference.SetGradient(step);
            reference.StepRoundedFloat32();
        }

        foreach (KernelPath path in AcceleratedPaths().Append(KernelPath.Scalar))
        {
            StoredCase kernels = StoredCase.Create(name, parameter, gradient, state, path, stochastic: false);
            StoredCase rule = StoredCase.Create(name, parameter, gradient, state, path, stochastic: false);
            for (int step = 0; step < Steps; step++)
            {
                kernels.SetGradient(step);
                rule.SetGradient(step);
                kernels.Optimizer.Step();
                if (kernels.Optimizer.Rule.ReductionCount > 0)
                {
                    rule.Optimizer.StepWithInterpreter();
                }
                else
                {
                    rule.Optimizer.StepWithRule();
                }
            }

            StoredCase.AssertSame(rule, kernels, $"{name} {path} vs the oracle");
            StoredCase.AssertSame(reference, kernels, $"{name} {path} vs float32 steps rounded by hand");
        }
    }

    public static IEnumerable<object[]> ElementWiseCombinations() =>
        from optimizer in new[] { "AdamW", "AdamW amsgrad maximize", "SGD", "Adagrad", "ASGD", "Lion" }
        from p in Types
        from g in Types
        from s in Types
        where p != StateStorage.Float32 || g != StateStorage.Float32 || s != StateStorage.Float32
        select new object[] { optimizer, p, g, s };

    /// <summary>
    /// The combinations with stored loops (the rest are staged): 16-bit states beside a float32
    /// parameter and gradient, and a 16-bit parameter with a float32 or same-typed gradient and float32 or same-typed states.
    /// </summary>
    private static bool HasStoredLoops(StateStorage parameter, StateStorage gradient, StateStorage state) => parameter == StateStorage.Float32
        ? gradient == StateStorage.Float32
        : gradient is StateStorage.Float32 || gradient == parameter ? state is StateStorage.Float32 || state == parameter : false;

    [Theory]
    [MemberData(nameof(ElementWiseCombinations))]
    public void StoredLoopsGiveTheStagedStepsBitsOnEveryPathWithLossScaling(string name, StateStorage parameter, StateStorage gradient, StateStorage state)
    {
        foreach (KernelPath path in AcceleratedPaths().Append(KernelPath.Scalar))
        {
            StoredCase fused = StoredCase.Create(name, parameter, gradient, state, path, stochastic: false);
            StoredCase staged = StoredCase.Create(name, parameter, gradient, state, path, stochastic: false);
            staged.Optimizer.UsesStoredLoops = false;
            foreach (StoredCase c in new[] { fused, staged })
            {
                c.Optimizer.GradientScale = 4f; // the loops unscale the gradient as they load it
                for (int step = 0; step < Steps; step++)
                {
                    c.SetGradient(step);
                    c.Optimizer.Step();
                }
            }

            StoredCase.AssertSame(staged, fused, $"{name} {path}: stored loops vs staged");
            Assert.Equal(0, staged.Optimizer.StoredLoopSteps);
            Assert.Equal(HasStoredLoops(parameter, gradient, state) ? Steps : 0, fused.Optimizer.StoredLoopSteps);
        }
    }

    [Fact]
    public void StoredLoopsGiveTheSameBitsInParallelAndPerTensorAndAfterWarm()
    {
        StoredCase expected = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16, KernelPath.Auto, stochastic: false);
        expected.Optimizer.UsesStoredLoops = false;
        StoredCase parallel = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16, KernelPath.Auto, stochastic: false);
        parallel.Optimizer.MaxDegreeOfParallelism = 2;
        parallel.Optimizer.ParallelThreshold = 64;
        parallel.Optimizer.ShareEveryStep = true;
        StoredCase perTensor = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16, KernelPath.Auto, stochastic: false);
        StoredCase warmed = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16, KernelPath.Auto, stochastic: false);
        string before = string.Join(",", warmed.ParameterBits());
        warmed.Optimizer.Warm();
        Assert.Equal(before, string.Join(",", warmed.ParameterBits()));
        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(warmed.Optimizer.Warm, steps: 3));
        for (int step = 0; step < Steps; step++)
        {
            foreach (StoredCase c in new[] { expected, parallel, warmed })
            {
                c.SetGradient(step);
                c.Optimizer.Step();
            }

            perTensor.SetGradient(step);
            perTensor.Optimizer.BeginStep();
            perTensor.Optimizer.StepTensor(perTensor.Tensor);
            perTensor.Optimizer.EndStep();
        }

        StoredCase.AssertSame(expected, parallel, "parallel");
        StoredCase.AssertSame(expected, perTensor, "per tensor");
        StoredCase.AssertSame(expected, warmed, "after Warm");
        Assert.True(perTensor.Optimizer.StoredLoopSteps >= Steps);
    }

    [Theory]
    [InlineData(StateStorage.BFloat16)]
    [InlineData(StateStorage.Float16)]
    public void StochasticRoundingIsTheSameOnEveryPathWithTheOraclesAndInParallel(StateStorage type)
    {
        StoredCase expected = StoredCase.Create("AdamW", type, StateStorage.Float32, type, KernelPath.Scalar, stochastic: true);
        for (int step = 0; step < Steps; step++)
        {
            expected.SetGradient(step);
            expected.Optimizer.StepWithRule();
        }

        foreach (KernelPath path in AcceleratedPaths().Append(KernelPath.Scalar))
        {
            foreach (int threads in new[] { 1, 2 })
            {
                StoredCase actual = StoredCase.Create("AdamW", type, StateStorage.Float32, type, path, stochastic: true);
                actual.Optimizer.MaxDegreeOfParallelism = threads;
                actual.Optimizer.ParallelThreshold = 64;
                actual.Optimizer.ShareEveryStep = true; // the bits of shared steps, whatever the guard would judge on a loaded machine
                for (int step = 0; step < Steps; step++)
                {
                    actual.SetGradient(step);
                    actual.Optimizer.Step();
                }

                StoredCase.AssertSame(expected, actual, $"{path}, {threads} thread(s)");
                if (threads == 2 && KernelGen.Parallel.HelperThreads.Count > 0)
                {
                    Assert.True(actual.Optimizer.ParallelSteps > 0, "the parallel step ran");
                }
            }
        }
    }

    [Fact]
    public void StochasticRoundingDiffersFromNearestAndDependsOnTheSeed()
    {
        StoredCase nearest = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.Float32, StateStorage.BFloat16, KernelPath.Auto, stochastic: false);
        StoredCase seeded = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.Float32, StateStorage.BFloat16, KernelPath.Auto, stochastic: true);
        StoredCase otherSeed = StoredCase.Create("AdamW", StateStorage.BFloat16, StateStorage.Float32, StateStorage.BFloat16, KernelPath.Auto, stochastic: true);
        otherSeed.Optimizer.StochasticRoundingSeed = 99;
        foreach (StoredCase c in new[] { nearest, seeded, otherSeed })
        {
            c.SetGradient(0);
            c.Optimizer.Step();
        }

        Assert.NotEqual(nearest.ParameterBits(), seeded.ParameterBits());
        Assert.NotEqual(seeded.ParameterBits(), otherSeed.ParameterBits());
    }

    [Fact]
    public void EightBitStatesRefuseSixteenBitParametersAndGradients()
    {
        var adam = new AdamW { StateStorage = StateStorage.Int8Blockwise };
        var error = Assert.Throws<NotSupportedException>(() => adam.Add(new Memory<BFloat16>(new BFloat16[8192]), new Memory<float>(new float[8192])));
        Assert.Contains("Int8Blockwise", error.Message);
        Assert.Contains("BFloat16", error.Message);
        error = Assert.Throws<NotSupportedException>(() => adam.Add(new Memory<float>(new float[16]), new Memory<Half>(new Half[16])));
        Assert.Contains("Half", error.Message);
        Assert.Empty(adam.Tensors);

        // Float32 tensors still take 8-bit states, and 16-bit states stay available to 16-bit parameters.
        Assert.Equal(StateStorage.Int8Blockwise, adam.Add(new float[8192], new float[8192]).StateStorage);
        var bfloat = new AdamW { StateStorage = StateStorage.BFloat16 };
        Assert.Equal(StateStorage.BFloat16, bfloat.Add(new Memory<BFloat16>(new BFloat16[8192]), new Memory<float>(new float[8192])).StateStorage);
    }

    [Fact]
    public void StorageSettingsAreCheckedWithClearErrors()
    {
        var adam = new AdamW();
        Assert.Throws<NotSupportedException>(() => new SGD().StateStorage = StateStorage.Int8Blockwise);
        adam.StateStorage = StateStorage.BFloat16;
        ParameterTensor tensor = adam.Add(new Memory<BFloat16>(new BFloat16[8]), new Memory<float>(new float[8]));
        Assert.Throws<InvalidOperationException>(() => adam.StateStorage = StateStorage.Float32);
        adam.StateStorage = StateStorage.BFloat16; // no change: allowed
        Assert.Equal(StateStorage.BFloat16, tensor.ParameterStorage);
        Assert.Equal(StateStorage.Float32, tensor.GradientStorage);
        Assert.Equal(StateStorage.BFloat16, tensor.StateStorage);
        var error = Assert.Throws<InvalidOperationException>(() => tensor.Parameter);
        Assert.Contains("BFloat16", error.Message);
        Assert.Throws<InvalidOperationException>(() => tensor.State(0));
        Assert.Equal(8, tensor.StoredState<BFloat16>(0).Length);
        Assert.Throws<InvalidOperationException>(() => tensor.StoredParameter<Half>());
        Assert.Throws<NotSupportedException>(() => adam.Add(new Memory<double>(new double[8]), new Memory<float>(new float[8])));
        var shared = new Half[16];
        Assert.Throws<ArgumentException>(() => adam.Add(new Memory<Half>(shared, 0, 8), new Memory<Half>(shared, 4, 8)));
    }

    private static IEnumerable<KernelPath> AcceleratedPaths()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            yield return KernelPath.Vector512;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            yield return KernelPath.Vector256;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            yield return KernelPath.Vector128;
        }
    }
}
