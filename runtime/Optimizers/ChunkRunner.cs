using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace KernelGen;

/// <summary>
/// Steps the chunks of one tensor on the calling thread and on thread-pool threads, without
/// allocating: the work items are made once and queued again each step. The caller takes chunks
/// too, so a busy pool only makes the step less parallel, never stuck: whoever is free claims the
/// next chunk, and the caller returns once every claimed chunk is done.
/// </summary>
internal sealed class ChunkRunner
{
    private readonly Action<ParameterTensor, KernelPath> _stepChunk;
    private readonly Helper[] _helpers;

    // The generation (high 32 bits) and the next unclaimed chunk (low 32 bits), changed together
    // so that a helper queued for an earlier step, which may run late, can never claim a chunk of
    // a later step it did not see published.
    private long _claims;
    private int _completed;
    private ParameterTensor[] _chunks = Array.Empty<ParameterTensor>();
    private KernelPath _path;
    private ExceptionDispatchInfo? _failure;

    public ChunkRunner(Action<ParameterTensor, KernelPath> stepChunk, int helpers)
    {
        _stepChunk = stepChunk;
        _helpers = new Helper[helpers];
        for (int i = 0; i < helpers; i++)
        {
            _helpers[i] = new Helper(this);
        }
    }

    /// <summary>Bytes the helpers allocated while stepping chunks (a step must allocate nothing on any thread).</summary>
    internal long HelperAllocatedBytes => Interlocked.Read(ref _helperAllocatedBytes);

    private long _helperAllocatedBytes;

    /// <summary>The pool threads this runner asks for, besides the caller.</summary>
    public int Helpers => _helpers.Length;

    /// <summary>Steps every chunk once; returns when all are done; rethrows a chunk's exception.</summary>
    public void Run(ParameterTensor[] chunks, KernelPath path)
    {
        _chunks = chunks;
        _path = path;
        _completed = 0;
        _failure = null;
        long generation = (Volatile.Read(ref _claims) >> 32) + 1;
        Interlocked.Exchange(ref _claims, generation << 32); // publishes the fields above

        int helpers = Math.Min(_helpers.Length, chunks.Length - 1);
        for (int i = 0; i < helpers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_helpers[i], preferLocal: false);
        }

        Work();

        // What is left is at most one chunk per helper, already running: spin, yielding the core.
        SpinWait spin = default;
        while (Volatile.Read(ref _completed) < chunks.Length)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        _failure?.Throw();
    }

    private void Work()
    {
        while (TryClaim(out ParameterTensor? chunk, out KernelPath path))
        {
            try
            {
                _stepChunk(chunk, path);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
            }
            finally
            {
                Interlocked.Increment(ref _completed);
            }
        }
    }

    private bool TryClaim([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParameterTensor? chunk, out KernelPath path)
    {
        while (true)
        {
            long claims = Volatile.Read(ref _claims);
            ParameterTensor[] chunks = _chunks; // read after the claims: the step's own array, or a later one the CAS below rejects
            int next = (int)(claims & 0xFFFF_FFFF);
            if (next >= chunks.Length)
            {
                chunk = null;
                path = default;
                return false;
            }

            path = _path;
            if (Interlocked.CompareExchange(ref _claims, claims + 1, claims) == claims)
            {
                chunk = chunks[next];
                return true;
            }
        }
    }

    private sealed class Helper(ChunkRunner runner) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            runner.Work();
            Interlocked.Add(ref runner._helperAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
