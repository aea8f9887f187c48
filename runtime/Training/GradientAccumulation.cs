using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Training;

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
/// <remarks>
/// An <see cref="ICheckpointState"/>: pass it in <see cref="CheckpointOptions.Participants"/> to
/// save its settings and position. A checkpoint is taken between cycles (after the optimizer's
/// step): mid-cycle the partial sums live in the gradient buffers, which checkpoints do not hold,
/// so saving then is refused rather than resuming from a partial sum that is not there.
/// </remarks>
public sealed class GradientAccumulation : ICheckpointState
{
    private readonly List<(Memory<float> MicroBatch, Memory<float> Accumulated)> _pairs = new();
    private float[]? _warmScratch;

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

    /// <summary>Saves the settings and the position in the cycle (always 0: see the remarks).</summary>
    /// <exception cref="InvalidOperationException">A cycle is under way: some micro-batches are accumulated but not yet stepped.</exception>
    public void Save(IDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Accumulated != 0)
        {
            throw new InvalidOperationException(
                $"{Accumulated} of {MicroBatches} micro-batches are accumulated: their partial sum is in the gradient buffers, which a checkpoint does not hold. Save after the optimizer's step.");
        }

        state["micro_batches"] = MicroBatches.ToString(CultureInfo.InvariantCulture);
        state["mode"] = Mode.ToString();
        state["accumulated"] = "0";
    }

    /// <summary>Checks that the saved settings are this instance's; the commit starts a new cycle.</summary>
    /// <exception cref="InvalidDataException">The saved settings differ, or a value is missing or malformed.</exception>
    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string Get(string key) => state.TryGetValue(key, out string? text) ? text : throw new InvalidDataException($"'{key}' is missing.");

        string microBatches = Get("micro_batches");
        if (microBatches != MicroBatches.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"'micro_batches' is '{microBatches}' but this accumulation takes {MicroBatches}.");
        }

        string mode = Get("mode");
        if (mode != Mode.ToString())
        {
            throw new InvalidDataException($"'mode' is '{mode}' but this accumulation is {Mode}.");
        }

        string accumulated = Get("accumulated");
        if (accumulated != "0")
        {
            throw new InvalidDataException($"'accumulated' is '{accumulated}'; a checkpoint is taken between cycles (0).");
        }

        return () => Accumulated = 0;
    }

    /// <summary>
    /// Compiles <see cref="Accumulate"/> (the first micro-batch of a cycle, the middle ones and the
    /// last) on scratch buffers of its own, fully optimized, so that the first accumulation does not
    /// wait for the JIT. Reads and writes no registered gradient and changes no count; may run on any
    /// thread while another accumulates; allocates nothing after its first call.
    /// </summary>
    public void Warm()
    {
        float[] scratch = _warmScratch ??= new float[2 * WarmUp.ScratchLength];
        Span<float> accumulated = scratch.AsSpan(0, WarmUp.ScratchLength);
        ReadOnlySpan<float> microBatch = scratch.AsSpan(WarmUp.ScratchLength);
        GradientAccumulationKernel.Accumulate(Path, accumulated, microBatch, true, 1f);
        GradientAccumulationKernel.Accumulate(Path, accumulated, microBatch, false, MicroBatches);
        WarmUp.PrepareOptimized(typeof(GradientAccumulation));
    }

    /// <summary>Folds the current micro-batch gradients in; true when the accumulated gradients are complete.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
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
