using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using KernelGen.Internal;

namespace KernelGen.Parallel;

/// <summary>Steps a span of tensors on the calling thread: the optimizer's kernels.</summary>
internal delegate void TensorStepper(Span<ParameterTensor> tensors, KernelPath path);

/// <summary>
/// One optimizer's parallel step: plans the step's tensors as work items and hands them to this
/// thread and helper threads. Each large tensor is cut into chunks, smaller tensors are handed out
/// whole, in runs of consecutive tensors of at least <see cref="MinimumChunk"/> elements (the run
/// before a large tensor and the last run may be shorter). Allocates only when a step has more
/// items than any before.
/// </summary>
internal sealed class ParallelStep
{
    // A chunk, or a run of small tensors, is at least this long (64 KiB of floats): the uniform
    // part is computed again per item, and a shorter item would not repay the hand-over.
    private const int MinimumChunk = 16_384;

    // Chunks per thread: a helper that starts late still finds work, and the threads finish together.
    private const int ChunksPerThread = 4;

    // A chunk is at most this long (1 MiB of floats), so a large tensor is cut into more chunks
    // than ChunksPerThread asks for: the caller, done with its part, waits for at most one chunk
    // per helper, and a helper that runs slowly on a busy core holds little of the step.
    private const int MaximumChunk = 262_144;

    private readonly TensorList _tensors;
    private readonly TensorStepper _stepTensors;
    private ChunkRunner? _chunkRunner;
    private WorkItem[] _workItems = Array.Empty<WorkItem>();
    private readonly ParallelGuard _guard = new();

    /// <summary>A parallel step over <paramref name="tensors"/> (the optimizer's own list, read at every step).</summary>
    public ParallelStep(TensorList tensors, TensorStepper stepTensors)
    {
        _tensors = tensors;
        _stepTensors = stepTensors;
    }

    /// <summary>Bytes allocated on helper threads by parallel steps so far (tests hold it at 0).</summary>
    public long HelperAllocatedBytes => _chunkRunner?.HelperAllocatedBytes ?? 0;

    /// <summary>Steps that were shared between threads so far (tests check the threshold).</summary>
    public long ParallelSteps { get; private set; }

    /// <summary>Steps above the threshold that ran on the calling thread because sharing did not pay (<see cref="ParallelGuard"/>).</summary>
    public long GuardedSteps => _guard.SingleSteps;

    /// <summary>Work items (chunks or runs of tensors) stepped on helper threads so far (tests check that helpers take part).</summary>
    public long HelperItems => _chunkRunner?.HelperItems ?? 0;

    /// <summary>
    /// Steps every tensor once on up to <paramref name="maxThreads"/> threads; a step with fewer
    /// than <paramref name="threshold"/> elements in all stays on this thread, and so does a step
    /// that <see cref="ParallelGuard"/> keeps there because sharing did not pay lately (unless
    /// <paramref name="shareEveryStep"/>).
    /// </summary>
    public void Run(KernelPath path, int maxThreads, int threshold, bool shareEveryStep = false)
    {
        // The work items index this list (StepWorkItem): it does not change during a step.
        Span<ParameterTensor> tensors = _tensors.AsSpan();
        long total = 0;
        foreach (ParameterTensor tensor in tensors)
        {
            total += tensor.Length;
        }

        if (total < threshold)
        {
            _stepTensors(tensors, path);
            return;
        }

        int threads = Math.Min(maxThreads, HelperThreads.Count + 1);
        if (_chunkRunner is null || _chunkRunner.MaxHelpers != threads - 1)
        {
            _chunkRunner = new ChunkRunner(StepWorkItem, threads - 1);
        }

        long start = Stopwatch.GetTimestamp();
        if (!shareEveryStep && !_guard.ShouldShare(start))
        {
            _stepTensors(tensors, path);
            return;
        }

        int items = PlanWorkItems(tensors, threads, threshold);
        ParallelSteps++;
        _chunkRunner.Run(items, path);
        long end = Stopwatch.GetTimestamp();
        long callerElements = 0;
        for (int k = 0; k < _chunkRunner.CallerItems; k++)
        {
            callerElements += _workItems[k].Elements;
        }

        _guard.RecordShared(start, end, _chunkRunner.CallerTicks, callerElements, total, _chunkRunner.HelperLate);
        for (int k = 0; k < items; k++)
        {
            if (_workItems[k] is { Chunk: { } chunk, FirstChunk: true } item)
            {
                tensors[item.First].TakeTensorStateFrom(chunk);
            }
        }
    }

    /// <summary>Fills <see cref="_workItems"/> for this step; returns how many there are.</summary>
    private int PlanWorkItems(Span<ParameterTensor> tensors, int threads, int threshold)
    {
        int items = 0;
        int runStart = 0;
        long runLength = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            ParameterTensor tensor = tensors[i];
            int count = Math.Min(Math.Max(threads * ChunksPerThread, (int)((tensor.Length + (long)MaximumChunk - 1) / MaximumChunk)), tensor.Length / MinimumChunk);
            // "+ 2": room for the run before this tensor and the last run. Past MaxItems (some 17
            // billion elements in chunks) large tensors join the last run: right, on one thread.
            if (tensor.Length >= threshold && count >= 2 && items + count + 2 <= ChunkRunner.MaxItems)
            {
                if (i > runStart)
                {
                    Add(WorkItem.Run(runStart, i - runStart, runLength));
                }

                ParameterTensor[] chunks = tensor.Chunks(count);
                for (int k = 0; k < chunks.Length; k++)
                {
                    Add(WorkItem.ChunkOf(i, chunks[k], first: k == 0));
                }

                runStart = i + 1;
                runLength = 0;
                continue;
            }

            runLength += tensor.Length;
            if (runLength >= MinimumChunk && items + 2 <= ChunkRunner.MaxItems)
            {
                Add(WorkItem.Run(runStart, i + 1 - runStart, runLength));
                runStart = i + 1;
                runLength = 0;
            }
        }

        if (runStart < tensors.Length)
        {
            Add(WorkItem.Run(runStart, tensors.Length - runStart, runLength));
        }

        return items;

        void Add(WorkItem item)
        {
            if (items == _workItems.Length)
            {
                // Only when a step has more items than any before (more tensors, threads or chunks): a steady step allocates nothing.
                Array.Resize(ref _workItems, Math.Max(16, items * 2));
            }

            _workItems[items++] = item;
        }
    }

    /// <summary>
    /// One work item of a parallel step: a chunk of tensor <paramref name="First"/> (the tensor takes
    /// its per-tensor state from its first chunk after the step), or the whole tensors
    /// <paramref name="First"/> to <paramref name="First"/> + <paramref name="Count"/> - 1;
    /// <paramref name="Elements"/> in all.
    /// </summary>
    private readonly record struct WorkItem(ParameterTensor? Chunk, int First, int Count, bool FirstChunk, long Elements)
    {
        public static WorkItem Run(int first, int count, long elements) => new(null, first, count, false, elements);

        public static WorkItem ChunkOf(int tensor, ParameterTensor chunk, bool first) => new(chunk, tensor, 1, first, chunk.Length);
    }

    private void StepWorkItem(int index, KernelPath path)
    {
        WorkItem item = _workItems[index];
        if (item.Chunk is { } chunk)
        {
            _stepTensors(MemoryMarshal.CreateSpan(ref chunk, 1), path);
        }
        else
        {
            _stepTensors(_tensors.AsSpan().Slice(item.First, item.Count), path);
        }
    }
}
