using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace KernelGen;

/// <summary>
/// Steps the chunks of one tensor on the calling thread and on <see cref="HelperThreads"/>,
/// without allocating. The caller takes chunks too, so busy helpers only make the step less
/// parallel, never stuck: whoever is free claims the next chunk, and the caller returns once every
/// claimed chunk is done.
/// </summary>
internal sealed class ChunkRunner
{
    private readonly Action<ParameterTensor, KernelPath> _stepChunk;
    private readonly int _maxHelpers;

    // The generation (high 32 bits), the first unclaimed chunk (next 16) and one past the last
    // unclaimed chunk (low 16), changed together so that a helper of an earlier step, which may
    // run late, can never claim a chunk of a later step it did not see published. The caller
    // claims from the front and helpers from the back: each thread walks memory contiguously
    // (interleaved chunks measured up to 1.4x slower), and they meet where the work balances.
    private long _claims;
    private int _completed;
    private ParameterTensor[] _chunks = Array.Empty<ParameterTensor>();
    private KernelPath _path;
    private ExceptionDispatchInfo? _failure;
    private int _seats; // helpers that may still join the current step
    private long _helperAllocatedBytes;

    /// <summary>A runner whose steps take up to <paramref name="maxHelpers"/> helpers besides the caller.</summary>
    public ChunkRunner(Action<ParameterTensor, KernelPath> stepChunk, int maxHelpers)
    {
        _stepChunk = stepChunk;
        _maxHelpers = maxHelpers;
    }

    /// <summary>Bytes the helpers allocated while stepping chunks (a step must allocate nothing on any thread).</summary>
    internal long HelperAllocatedBytes => Interlocked.Read(ref _helperAllocatedBytes);

    /// <summary>Chunks stepped by helper threads so far (tests check that helpers do take part).</summary>
    internal long HelperChunks => Interlocked.Read(ref _helperChunks);

    private long _helperChunks;

    /// <summary>The helpers this runner's steps take at most, besides the caller.</summary>
    public int MaxHelpers => _maxHelpers;

    /// <summary>Steps every chunk once; returns when all are done; rethrows a chunk's exception.</summary>
    public void Run(ParameterTensor[] chunks, KernelPath path)
    {
        _chunks = chunks;
        _path = path;
        _completed = 0;
        _failure = null;
        _seats = Math.Min(_maxHelpers, chunks.Length - 1);
        long generation = (Volatile.Read(ref _claims) >> 32) + 1;
        Interlocked.Exchange(ref _claims, generation << 32 | (uint)chunks.Length); // publishes the fields above

        if (_seats > 0)
        {
            HelperThreads.Offer(this, _seats);
        }

        try
        {
            Work(fromFront: true);

            // What is left is at most one chunk per helper, already running: spin, yielding the core.
            SpinWait spin = default;
            while (Volatile.Read(ref _completed) < chunks.Length)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        finally
        {
            HelperThreads.Withdraw(this);
        }

        _failure?.Throw();
    }

    /// <summary>Called by a helper thread: steps chunks if the step still has a seat for a helper.</summary>
    public void Help()
    {
        if (Interlocked.Decrement(ref _seats) < 0)
        {
            return;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        Work(fromFront: false);
        Interlocked.Add(ref _helperAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private void Work(bool fromFront)
    {
        while (TryClaim(fromFront, out ParameterTensor? chunk, out KernelPath path))
        {
            try
            {
                _stepChunk(chunk, path);
                if (!fromFront)
                {
                    Interlocked.Increment(ref _helperChunks);
                }
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

    private bool TryClaim(bool fromFront, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParameterTensor? chunk, out KernelPath path)
    {
        while (true)
        {
            long claims = Volatile.Read(ref _claims);
            ParameterTensor[] chunks = _chunks; // read after the claims: the step's own array, or a later one the CAS below rejects
            int front = (int)(claims >> 16) & 0xFFFF;
            int back = (int)claims & 0xFFFF;
            if (front >= back || back > chunks.Length)
            {
                chunk = null;
                path = default;
                return false;
            }

            path = _path;
            long claimed = fromFront ? claims + (1L << 16) : claims - 1;
            if (Interlocked.CompareExchange(ref _claims, claimed, claims) == claims)
            {
                chunk = chunks[fromFront ? front : back - 1];
                return true;
            }
        }
    }
}
