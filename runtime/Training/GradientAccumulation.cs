using System;
using System.Collections.Generic;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>How <see cref="GradientAccumulation"/> combines micro-batch gradients.</summary>
public enum AccumulationMode
{
    /// <summary>The sum of the micro-batch gradients.</summary>
    Sum,
    /// <summary>The sum divided by the number of micro-batches (the gradient of the mean loss).</summary>
    Mean,
}

/// <summary>
/// Gradient accumulation over k micro-batches: after each micro-batch's backward pass,
/// <see cref="Accumulate"/> folds its gradients into the buffers the optimizer reads, in one
/// fused pass per tensor (the first micro-batch overwrites, the others add, the last divides by
/// k for <see cref="AccumulationMode.Mean"/>). It returns true when the k-th micro-batch is in:
/// step the optimizer then. Allocation-free.
/// </summary>
public sealed class GradientAccumulation
{
    private readonly List<(Memory<float> MicroBatch, Memory<float> Accumulated)> _pairs = new();

    /// <summary>Accumulates <paramref name="microBatches"/> micro-batches per optimizer step.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="microBatches"/> is less than 1.</exception>
    public GradientAccumulation(int microBatches, AccumulationMode mode = AccumulationMode.Mean)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        MicroBatches = microBatches;
        Mode = mode;
    }

    /// <summary>The number of micro-batches per optimizer step.</summary>
    public int MicroBatches { get; }

    /// <summary>Sum or mean.</summary>
    public AccumulationMode Mode { get; }

    /// <summary>How many micro-batches of the current cycle are in (0 to <see cref="MicroBatches"/> − 1).</summary>
    public int Accumulated { get; private set; }

    /// <summary>The kernel path, as for an optimizer.</summary>
    public KernelPath Path { get; set; }

    /// <summary>
    /// Registers a pair: the gradient a micro-batch's backward pass writes, and the buffer the
    /// optimizer reads (registered there as the parameter's gradient).
    /// </summary>
    /// <exception cref="ArgumentException">The two differ in length or share memory.</exception>
    public void Add(Memory<float> microBatchGradient, Memory<float> accumulatedGradient)
    {
        Guard.SameLength(accumulatedGradient.Length, microBatchGradient.Length, nameof(microBatchGradient));
        Guard.Disjoint(accumulatedGradient.Span, microBatchGradient.Span, nameof(accumulatedGradient), nameof(microBatchGradient));
        _pairs.Add((microBatchGradient, accumulatedGradient));
    }

    /// <summary>Folds the current micro-batch gradients in; true when the accumulated gradients are complete.</summary>
    public bool Accumulate()
    {
        bool last = Accumulated + 1 == MicroBatches;
        bool first = Accumulated == 0;
        float divisor = last && Mode == AccumulationMode.Mean ? MicroBatches : 1f;
        foreach ((Memory<float> microBatch, Memory<float> accumulated) in _pairs)
        {
            GradientAccumulationKernel.Accumulate(Path, accumulated.Span, microBatch.Span, first, divisor);
        }

        Accumulated = last ? 0 : Accumulated + 1;
        return last;
    }
}

/// <summary>The kernel of <see cref="GradientAccumulation"/>: accumulated = (first ? g : accumulated + g) / divisor.</summary>
internal static partial class GradientAccumulationKernel
{
    [Kernel]
    internal static void Accumulate(ref float accumulated, float gradient, bool first, [Uniform] float divisor)
    {
        float sum = first ? gradient : accumulated + gradient;
        accumulated = sum / divisor;
    }
}
