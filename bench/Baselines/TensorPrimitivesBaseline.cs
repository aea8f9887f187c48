using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// A step composed from <c>TensorPrimitives</c> calls, one pass over memory per call, as a user of
/// System.Numerics.Tensors writes it: scratch buffers allocated once at bind time, nothing per step.
/// The helpers are the compositions several optimizers share (a running average takes two calls).
/// </summary>
public abstract class TensorPrimitivesBaseline : Baseline
{
    private readonly AlignedBuffer[] _scratch;
    private int[]? _signs;

    /// <summary>Binds to <paramref name="arrays"/> with <paramref name="scratch"/> scratch buffers of the tensor's length.</summary>
    protected TensorPrimitivesBaseline(TensorArrays arrays, int scratch, params string[] stateNames)
        : base(arrays, stateNames)
    {
        _scratch = new AlignedBuffer[scratch];
        for (int i = 0; i < scratch; i++)
        {
            _scratch[i] = new AlignedBuffer(arrays.Length);
        }
    }

    /// <summary>The <paramref name="index"/>-th scratch buffer.</summary>
    protected Span<float> Scratch(int index) => _scratch[index].Span;

    /// <summary>average = β·average + (1 − β)·x.</summary>
    protected static void Average(Span<float> average, float beta, ReadOnlySpan<float> x)
    {
        Tp.Multiply(average, beta, average);
        Tp.MultiplyAdd(x, 1f - beta, average, average);
    }

    /// <summary>average = β·average + (1 − β)·x·x, through <paramref name="scratch"/>.</summary>
    protected static void AverageOfSquares(Span<float> average, float beta, ReadOnlySpan<float> x, Span<float> scratch)
    {
        Tp.Multiply(x, 1f - beta, scratch);
        Tp.Multiply(scratch, x, scratch);
        Tp.MultiplyAdd(average, beta, scratch, average);
    }

    /// <summary>
    /// destination = sign(x) as −1, 0 or 1 (torch's sign): <c>TensorPrimitives.Sign</c> gives
    /// integers, so two calls, through an integer buffer allocated on first use.
    /// </summary>
    protected void SignOf(ReadOnlySpan<float> x, Span<float> destination)
    {
        Span<int> signs = _signs ??= new int[Length];
        Tp.Sign(x, signs);
        Tp.ConvertTruncating<int, float>(signs, destination);
    }

    /// <summary>
    /// torch's <c>start.lerp_(end, w)</c>: start + w(end − start) when |w| &lt; ½, else
    /// end − (end − start)(1 − w); <c>TensorPrimitives.Lerp</c> rounds another way.
    /// <paramref name="scratch"/> must not be <paramref name="end"/>.
    /// </summary>
    protected static void TorchLerp(Span<float> start, ReadOnlySpan<float> end, float weight, Span<float> scratch)
    {
        Tp.Subtract(end, start, scratch);
        if (MathF.Abs(weight) < 0.5f)
        {
            Tp.MultiplyAdd(scratch, weight, start, start);
        }
        else
        {
            Tp.Multiply(scratch, 1f - weight, scratch);
            Tp.Subtract(end, scratch, start);
        }
    }
}
