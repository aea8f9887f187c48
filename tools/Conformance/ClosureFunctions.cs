using System;

namespace KernelGen.Conformance;

/// <summary>
/// The test functions of closure cases, in float32 as the format defines them: each zeroes the
/// gradient, writes the gradient of the loss at <c>x</c> and returns the loss.
/// </summary>
public static class ClosureFunctions
{
    /// <summary>Evaluates <paramref name="function"/> at <paramref name="x"/>, writing its gradient to <paramref name="gradient"/>.</summary>
    public static float Evaluate(ClosureFunctionSpec function, ReadOnlySpan<float> x, Span<float> gradient) => function.Name switch
    {
        "rosenbrock" => Rosenbrock((float)function.A, (float)function.B, x, gradient),
        "quadratic" => Quadratic(function.D, function.C, x, gradient),
        _ => throw new ArgumentException($"Unknown function '{function.Name}'.", nameof(function)),
    };

    /// <summary><c>sum over i &lt; n-1 of b (x[i+1] - x[i]^2)^2 + (a - x[i])^2</c>.</summary>
    public static float Rosenbrock(float a, float b, ReadOnlySpan<float> x, Span<float> gradient)
    {
        gradient.Clear();
        float loss = 0f;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            float curve = x[i + 1] - x[i] * x[i];
            float offset = a - x[i];
            loss += b * (curve * curve) + offset * offset; // torch's b * u**2: the square first
            gradient[i] += -4f * b * x[i] * curve - 2f * offset;
            gradient[i + 1] += 2f * b * curve;
        }

        return loss;
    }

    /// <summary><c>sum over i of 0.5 d[i] (x[i] - c[i])^2 + 0.1 (x[i] - c[i])^4</c>.</summary>
    public static float Quadratic(ReadOnlySpan<float> d, ReadOnlySpan<float> c, ReadOnlySpan<float> x, Span<float> gradient)
    {
        float loss = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            float r = x[i] - c[i];
            float square = r * r;
            loss += 0.5f * d[i] * square + 0.1f * (square * square);
            gradient[i] = d[i] * r + 0.4f * (square * r);
        }

        return loss;
    }
}
