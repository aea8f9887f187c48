using System;
using System.Collections.Generic;
using System.Globalization;

namespace KernelGen.Conformance;

/// <summary>Compares values after a step with a case's expectations and words the first difference.</summary>
public static class TrajectoryComparer
{
    /// <summary>
    /// Compares every tensor after step <paramref name="stepIndex"/> (0-based: <c>expected[stepIndex]</c>).
    /// </summary>
    /// <returns><see langword="null"/> when every element is accepted; otherwise the first
    /// difference (1-based step, 0-based tensor and element indices) and how many more differ.</returns>
    public static string? CompareTensors(int stepIndex, int steps, IReadOnlyList<float[]> actual, float[][] expected, Tolerance tolerance)
        => CompareTensors($"{Step(stepIndex, steps)} (expected[{stepIndex}])", actual, expected, tolerance);

    /// <summary>Compares every tensor at a point named by <paramref name="where"/> (for example "after eval()").</summary>
    /// <returns><see langword="null"/> when every element is accepted; otherwise the first difference and how many more differ.</returns>
    public static string? CompareTensors(string where, IReadOnlyList<float[]> actual, float[][] expected, Tolerance tolerance)
    {
        string? first = null;
        int more = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            for (int j = 0; j < expected[i].Length; j++)
            {
                double a = actual[i][j];
                double e = expected[i][j];
                if (tolerance.Accepts(a, e))
                {
                    continue;
                }

                if (first is null)
                {
                    first = $"{where}, tensor {i}, element {j}: {Difference(actual[i][j], expected[i][j], tolerance)}";
                }
                else
                {
                    more++;
                }
            }
        }

        return first is null || more == 0 ? first : $"{first}; {more} more element(s) differ at this step";
    }

    /// <summary>Compares one scheduled value (a learning rate or a momentum) in effect at step <paramref name="stepIndex"/>.</summary>
    public static string? CompareValue(string what, int stepIndex, int steps, double actual, double expected, Tolerance tolerance)
        => tolerance.Accepts(actual, expected)
            ? null
            : $"{what} at {Step(stepIndex, steps)} ({what}s[{stepIndex}]): {Difference(actual, expected, tolerance)}";

    private static string Step(int stepIndex, int steps) => $"step {stepIndex + 1}/{steps}";

    private static string Difference(float actual, float expected, Tolerance tolerance)
        => Difference(actual, expected, Format(expected), Format(actual), tolerance);

    private static string Difference(double actual, double expected, Tolerance tolerance)
        => Difference(actual, expected, Format(expected), Format(actual), tolerance);

    private static string Difference(double actual, double expected, string expectedText, string actualText, Tolerance tolerance)
    {
        string text = $"expected {expectedText}, actual {actualText}";
        double difference = Math.Abs(actual - expected);
        return double.IsFinite(difference)
            ? $"{text} (|difference| {Short(difference)} > tolerance {Short(tolerance.Bound(expected))})"
            : text;
    }

    // Shortest round-trip text, so the printed value is exactly the compared one.
    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Short(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
