using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Checks, before anything is timed, that every baseline does the work it stands for: the naive
/// loop and the TensorPrimitives composition give the optimizer's results within float
/// tolerance, and the roofline reads and writes every array it claims to.
/// </summary>
public static class BaselineCheck
{
    /// <summary>Relative tolerance: the baselines round in another order than the kernel (no FMA either way).</summary>
    public const float RelativeTolerance = 1e-5f;

    /// <summary>Absolute tolerance, for values near zero.</summary>
    public const float AbsoluteTolerance = 1e-6f;

    /// <summary>
    /// Runs the checks on a small tensor (with a tail no vector width divides) on <paramref name="path"/>.
    /// </summary>
    /// <returns>One line per problem; empty when every baseline agrees.</returns>
    public static IReadOnlyList<string> Run(BenchProfile profile, KernelPath path = KernelPath.Auto, int elements = 1037, int steps = 3)
    {
        var problems = new List<string>();
        BenchSubject reference = BenchSubject.Create(profile, elements, path);
        for (int i = 0; i < steps; i++)
        {
            reference.KernelGen.Step();
        }

        CompareBaseline(profile, path, elements, steps, reference, static s => s.Naive, problems);
        CompareBaseline(profile, path, elements, steps, reference, static s => s.TensorPrimitives, problems);
        CheckRoofline(profile, path, elements, problems);
        return problems;
    }

    private static void CompareBaseline(BenchProfile profile, KernelPath path, int elements, int steps, BenchSubject reference,
        Func<BenchSubject, StepRunner?> pick, List<string> problems)
    {
        BenchSubject subject = BenchSubject.Create(profile, elements, path);
        StepRunner? baseline = pick(subject);
        if (baseline is null)
        {
            return;
        }

        for (int i = 0; i < steps; i++)
        {
            baseline.Step();
        }

        foreach (StepArray array in profile.Arrays)
        {
            string? difference = FirstDifference(reference.Arrays.Array(array.Name), subject.Arrays.Array(array.Name));
            if (difference is not null)
            {
                problems.Add($"{profile.Name}: {baseline.Name} differs from KernelGen after {steps} steps in {array.Name}: {difference}");
            }
        }
    }

    /// <summary>
    /// With the factors 1 and 1 the roofline adds the gradient to every written array (a write-only
    /// one receives the first read-write array's sum) and its reducing pass sums the squares of
    /// what it read: proof that it read and wrote each.
    /// </summary>
    private static void CheckRoofline(BenchProfile profile, KernelPath path, int elements, List<string> problems)
    {
        BenchSubject subject = BenchSubject.Create(profile, elements, path);
        StepArray read = FindRead(profile);
        float[] gradient = subject.Arrays.Array(read.Name).ToArray();
        var before = new Dictionary<string, float[]>();
        foreach (StepArray array in profile.Arrays.Concat(profile.ReducingPass))
        {
            before[array.Name] = subject.Arrays.Array(array.Name).ToArray();
        }

        double expectedReduction = profile.ReducingPass.Sum(a => before[a.Name].Sum(static x => (double)x * x));
        float? reduction = null;
        Roofline.Bind(subject.Arrays, profile, path, scale: 1f, gradScale: 1f, observeReduction: r => reduction = r)(1);
        if (profile.ReducingPass.Count > 0 && !(Math.Abs((reduction ?? float.NaN) - expectedReduction) <= 1e-4 * expectedReduction))
        {
            problems.Add($"{profile.Name}: the roofline's reducing pass summed {reduction:R}, not the {expectedReduction:R} of its arrays' squares");
        }

        string firstWritten = profile.Arrays.First(static a => a.Access == ArrayAccess.ReadWrite).Name;
        foreach (StepArray array in profile.Arrays)
        {
            float[] expected = (float[])before[array.Access == ArrayAccess.Write ? firstWritten : array.Name].Clone();
            if (array.Access != ArrayAccess.Read)
            {
                for (int i = 0; i < expected.Length; i++)
                {
                    expected[i] += gradient[i];
                }
            }

            string? difference = FirstDifference(expected, subject.Arrays.Array(array.Name));
            if (difference is not null)
            {
                problems.Add($"{profile.Name}: the roofline did not turn {array.Name} into {array.Name} + {read.Name}: {difference}");
            }
        }
    }

    private static StepArray FindRead(BenchProfile profile)
    {
        foreach (StepArray array in profile.Arrays)
        {
            if (array.Access == ArrayAccess.Read)
            {
                return array;
            }
        }

        throw new InvalidOperationException($"The profile of {profile.Name} lists no read-only array.");
    }

    /// <summary>The first element outside tolerance, as text, or <see langword="null"/> when all agree.</summary>
    public static string? FirstDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i];
            float a = actual[i];
            float allowed = AbsoluteTolerance + RelativeTolerance * MathF.Max(MathF.Abs(e), MathF.Abs(a));
            if (!(MathF.Abs(e - a) <= allowed))
            {
                return $"element {i}: expected {e:R}, got {a:R}";
            }
        }

        return null;
    }
}
