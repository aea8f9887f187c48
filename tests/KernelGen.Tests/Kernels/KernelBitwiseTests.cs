using System;
using System.Collections.Generic;
using KernelGen.Testing;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>
/// The determinism contract: on every path, a kernel gives the bits that calling the rule element
/// by element gives, and the bits the reference interpreter computes from the rule's IR.
/// </summary>
public class KernelBitwiseTests
{
    // RAdam's rectified branch first runs on step 6 (ρₜ < t), ASGD's averaging and Rprop's bounds need a few steps too.
    private const int Steps = 7;

    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void KernelEqualsRuleAndInterpreter(string optimizer, KernelPath path)
    {
        Func<Optimizer> create = KernelCases.Optimizers[optimizer];
        foreach (int length in KernelCases.Lengths)
        {
            Optimizer kernel = create(), rule = create(), interpreter = create();
            kernel.Path = path;
            float[] initial = KernelCases.Values(length, seed: length, scale: 2f);
            float[][] gradients = new float[Steps][];
            for (int s = 0; s < Steps; s++)
            {
                gradients[s] = KernelCases.Values(length, seed: 1000 + 31 * length + s, scale: 1f);
            }

            var grads = new Dictionary<Optimizer, float[]>();
            foreach (Optimizer o in new[] { kernel, rule, interpreter })
            {
                grads[o] = new float[length];
                o.Add((float[])initial.Clone(), grads[o]);
            }

            for (int s = 0; s < Steps; s++)
            {
                foreach (Optimizer o in grads.Keys)
                {
                    gradients[s].CopyTo(grads[o], 0);
                }

                kernel.Step();
                KernelCases.StepOracle(rule);
                interpreter.StepWithInterpreter();
                string where = $"{optimizer} on {path}, length {length}, step {s + 1}";
                AssertSameBits(rule.Tensors[0], kernel.Tensors[0], "kernel vs rule: " + where);
                AssertSameBits(rule.Tensors[0], interpreter.Tensors[0], "interpreter vs rule: " + where);
            }
        }
    }

    /// <summary>
    /// Several tensors in one optimizer, one registered late (so tensors are at different steps):
    /// the uniform part, computed once for tensors at the same step, must still be right for each.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelCases.OptimizerAndPath), MemberType = typeof(KernelCases))]
    public void ManyTensorsAtDifferentStepsEqualTheRule(string optimizer, KernelPath path)
    {
        Func<Optimizer> create = KernelCases.Optimizers[optimizer];
        Optimizer kernel = create(), rule = create();
        kernel.Path = path;
        int[] lengths = { 17, 0, 64, 300, 5 };
        var gradients = new List<float[]>();
        void Register(int index)
        {
            float[] initial = KernelCases.Values(lengths[index], seed: 50 + index, scale: 2f);
            float[] gradient = KernelCases.Values(lengths[index], seed: 70 + index, scale: 1f);
            gradients.Add(gradient);
            kernel.Add((float[])initial.Clone(), gradient);
            rule.Add((float[])initial.Clone(), gradient);
        }

        for (int i = 0; i < 4; i++)
        {
            Register(i);
        }

        for (int s = 0; s < Steps; s++)
        {
            if (s == 1)
            {
                Register(4);
            }

            kernel.Step();
            KernelCases.StepOracle(rule);
            for (int t = 0; t < kernel.Tensors.Count; t++)
            {
                Assert.Equal(rule.Tensors[t].Step, kernel.Tensors[t].Step);
                AssertSameBits(rule.Tensors[t], kernel.Tensors[t], $"{optimizer} on {path}, tensor {t}, step {s + 1}");
            }
        }
    }

    /// <summary>
    /// Lengths on both sides of the size past which the loops stop software-pipelining
    /// (<see cref="Internal.KernelTuning.PipelinedBytes"/>, 28 bytes per element for AdamW): the
    /// pipelined and the plain loop each give the rule's bits on every path. Where the machine lacks
    /// the vector registers for AdamW's pipeline (<see cref="Internal.KernelTuning.Pipelines"/>: an
    /// AVX2 machine) both sides run the plain loop; ARM64 and AVX-512 machines run the pipelined one.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelCases.Paths), MemberType = typeof(KernelCases))]
    public void AdamWEqualsTheRuleOnBothSidesOfThePipeliningLimit(KernelPath path)
    {
        int limit = Internal.KernelTuning.PipelinedBytes / 28;
        foreach (int length in new[] { limit - 1, limit + 33 })
        {
            AdamW kernel = new() { Path = path }, rule = new();
            float[] initial = KernelCases.Values(length, seed: 3, scale: 2f);
            float[] gradient = KernelCases.Values(length, seed: 4, scale: 1f);
            kernel.Add((float[])initial.Clone(), gradient);
            rule.Add((float[])initial.Clone(), gradient);
            for (int s = 0; s < 2; s++)
            {
                kernel.Step();
                KernelCases.StepOracle(rule);
                AssertSameBits(rule.Tensors[0], kernel.Tensors[0], $"AdamW on {path}, length {length}, step {s + 1}");
            }
        }
    }

    [Fact]
    public void ForcingAnUnacceleratedPathThrows()
    {
        foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128 })
        {
            if (!KernelDispatch.IsSupported(path))
            {
                var sgd = new SGD { Path = path };
                sgd.Add(new float[4], new float[4]);
                Assert.Throws<NotSupportedException>(sgd.Step);
            }
        }

        Assert.Equal(KernelDispatch.Best, KernelDispatch.Resolve(KernelPath.Auto));
    }

    internal static void AssertSameBits(ParameterTensor expected, ParameterTensor actual, string where)
    {
        AssertSameBits(expected.Parameter.Span, actual.Parameter.Span, "parameter, " + where);
        for (int i = 0; i < expected.StateCount; i++)
        {
            AssertSameBits(expected.State(i), actual.State(i), $"state {i}, " + where);
        }

        for (int i = 0; i < expected.TensorStateCount; i++)
        {
            Assert.True(
                SameBits.Of(expected.TensorState(i), actual.TensorState(i)),
                $"tensor state {i}, {where}: expected {expected.TensorState(i):R}, got {actual.TensorState(i):R}");
        }
    }

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!SameBits.Of(expected[i], actual[i]))
            {
                Assert.Fail($"{where}, element {i}: expected {expected[i]:R} (0x{BitConverter.SingleToInt32Bits(expected[i]):X8}), got {actual[i]:R} (0x{BitConverter.SingleToInt32Bits(actual[i]):X8})");
            }
        }
    }
}
