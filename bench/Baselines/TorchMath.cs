using System;
using System.Runtime.CompilerServices;

namespace KernelGen.Bench.Baselines;

/// <summary>The scalar helpers a hand-written loop calls, as torch defines them.</summary>
internal static class TorchMath
{
    /// <summary>torch's sign: −1, 0 or 1 (0 for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float x) => x > 0f ? 1f : x < 0f ? -1f : 0f;

    /// <summary>A running average: β·average + (1 − β)·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Average(float average, float beta, float x) => average * beta + (1f - beta) * x;

    /// <summary>A running average of squares: β·average + (1 − β)·x·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float AverageOfSquares(float average, float beta, float x) => average * beta + (1f - beta) * x * x;

    /// <summary>torch's lerp: start + w(end − start) when |w| &lt; ½, else end − (end − start)(1 − w).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lerp(float start, float end, float weight) =>
        MathF.Abs(weight) < 0.5f ? start + weight * (end - start) : end - (end - start) * (1f - weight);
}
