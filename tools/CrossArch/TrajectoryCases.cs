using System;
using System.Collections.Generic;
using KernelGen.Tests.Kernels;

namespace KernelGen.CrossArch;

/// <summary>
/// The bitwise tests' trajectories, digested instead of compared with an oracle: one tensor of
/// every length for seven steps, with the tests' values (signed zeros, subnormals, huge and tiny
/// magnitudes); the same with NaN and infinities in the gradient; a scaled gradient; several
/// tensors at different steps.
/// </summary>
internal static class TrajectoryCases
{
    /// <summary>As the bitwise tests: RAdam's rectified branch first runs on step 6, ASGD's averaging and Rprop's bounds need a few steps too.</summary>
    public const int Steps = 7;

    /// <summary>Lengths for non-finite gradients: the first elements and around each vector width's multiples.</summary>
    public static readonly int[] NonFiniteLengths = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 67, 129, 257 };

    /// <summary>KernelCases.Lengths, the data of KernelBitwiseTests.KernelEqualsRuleAndInterpreter.</summary>
    public static CrossArchCase Step(string optimizer, int length) =>
        new($"step {optimizer} n={length}", path => OneTensor(KernelCases.Optimizers[optimizer], path, length,
            step => KernelCases.Values(length, seed: 1000 + 31 * length + step, scale: 1f)));

    public static CrossArchCase NonFinite(string optimizer, int length) =>
        new($"nonfinite {optimizer} n={length}", path => OneTensor(KernelCases.Optimizers[optimizer], path, length,
            step => NonFiniteGradient(length, seed: 2000 + 31 * length + step, step)));

    /// <summary>The data of GradientHandlingTests.ScaledGradientsAreUnscaledBitForBitAsTheRuleSees: the kernels unscale as they load.</summary>
    public static CrossArchCase Scaled(string optimizer) =>
        new($"scaled {optimizer}", path =>
        {
            Optimizer kernel = KernelCases.Optimizers[optimizer]();
            kernel.Path = path;
            kernel.GradientScale = 1024f;
            kernel.Add(KernelCases.Values(77, seed: 5, scale: 1f), KernelCases.Values(77, seed: 6, scale: 1000f));
            var digest = new Digest();
            for (int s = 0; s < 3; s++)
            {
                kernel.Step();
                digest.Add(kernel);
            }

            return digest.Value;
        });

    /// <summary>The data of KernelBitwiseTests.ManyTensorsAtDifferentStepsEqualTheRule: one tensor registered after the first step.</summary>
    public static CrossArchCase Tensors(string optimizer) =>
        new($"tensors {optimizer}", path =>
        {
            Optimizer kernel = KernelCases.Optimizers[optimizer]();
            kernel.Path = path;
            int[] lengths = { 17, 0, 64, 300, 5 };
            void Register(int index) =>
                kernel.Add(KernelCases.Values(lengths[index], seed: 50 + index, scale: 2f), KernelCases.Values(lengths[index], seed: 70 + index, scale: 1f));

            for (int i = 0; i < 4; i++)
            {
                Register(i);
            }

            var digest = new Digest();
            for (int s = 0; s < Steps; s++)
            {
                if (s == 1)
                {
                    Register(4);
                }

                kernel.Step();
                digest.Add(kernel);
            }

            return digest.Value;
        });

    private static ulong OneTensor(Func<Optimizer> create, KernelPath path, int length, Func<int, float[]> gradientAt)
    {
        Optimizer kernel = create();
        kernel.Path = path;
        float[] gradient = new float[length];
        kernel.Add(KernelCases.Values(length, seed: length, scale: 2f), gradient);
        var digest = new Digest();
        for (int s = 0; s < Steps; s++)
        {
            gradientAt(s).CopyTo(gradient, 0);
            kernel.Step();
            digest.Add(kernel);
        }

        return digest.Value;
    }

    /// <summary>The tests' values with about one element in eight, and element <c>step mod length</c>, NaN or an infinity.</summary>
    private static float[] NonFiniteGradient(int length, int seed, int step)
    {
        float[] special = { float.NaN, float.PositiveInfinity, float.NegativeInfinity };
        float[] values = KernelCases.Values(length, seed, scale: 1f);
        var random = new Random(~seed); // not the values' own sequence
        for (int i = 0; i < length; i++)
        {
            if (random.Next(8) == 0)
            {
                values[i] = special[random.Next(special.Length)];
            }
        }

        values[step % length] = special[step % special.Length];
        return values;
    }

    public static IEnumerable<CrossArchCase> All(string optimizer, IEnumerable<int> lengths, IEnumerable<int> nonFiniteLengths)
    {
        foreach (int length in lengths)
        {
            yield return Step(optimizer, length);
        }

        foreach (int length in nonFiniteLengths)
        {
            yield return NonFinite(optimizer, length);
        }

        yield return Scaled(optimizer);
        yield return Tensors(optimizer);
    }
}
