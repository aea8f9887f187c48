using System;
using System.Collections.Generic;
using KernelGen.Internal;

namespace KernelGen.Distributed;

/// <summary>
/// Data-parallel training with the optimizer state sharded across ranks (ZeRO stage 1): every
/// rank holds the whole parameters and gradients, but keeps optimizer state only for its
/// <see cref="ShardPartition"/> shard, which it steps with an ordinary optimizer (<see cref="Inner"/>)
/// registered on slices of the tensors. A step then all-gathers the updated parameters.
/// </summary>
/// <remarks>
/// <para>Same bits as one process: the gradients of the micro-batches are gathered and added in
/// micro-batch order (<see cref="OrderedSum"/>) on every rank, so every rank holds the same
/// reduced gradient, the one a single process gets by summing the same micro-batch gradients in
/// the same order. Clipping by the global norm (<see cref="Training.GradientClipping"/> over
/// <see cref="Tensors"/>) and the non-finite check then read identical values on every rank with
/// the single-process code, and the kernels give an element the same bits in a slice as in the
/// whole tensor.</para>
/// <para>The inner optimizer's <see cref="Optimizer.StateStorage"/> is kept: 16-bit states round
/// each element on its own, and for 8-bit states the <see cref="ShardPartition"/> cuts at whole
/// 256-element blocks and keeps every piece of a quantized tensor quantized, so shards, merged
/// checkpoints and resumes hold the bits of one process with the same storage (docs/distributed.md).
/// Stochastic rounding of shard states is refused: its random bits are keyed by whole-tensor indices.</para>
/// <para>Refused: rules with per-tensor reductions (Lamb, LARS, NovoGrad: a norm over a whole
/// tensor that a shard holds only part of), optimizers that need every gradient before they step
/// any tensor (Adan with MaxGradNorm), and optimizers with their own checkpointed mode
/// (schedule-free: switching it rewrites all parameters).</para>
/// </remarks>
public sealed class ShardedOptimizer
{
    private readonly Func<Optimizer> _createOptimizer;
    private readonly ICommunicator _communicator;
    private readonly ParameterTensor[] _tensors;
    private readonly IReadOnlyList<ShardPiece> _pieces;
    private readonly int[] _parameterCounts;
    private readonly int[] _blockCounts;
    private readonly float[] _shardParameters;
    private readonly float[] _flat;
    private readonly float[] _localBlocks;
    private readonly float[] _gatheredBlocks;
    private readonly int _microBatchesPerRank;
    private readonly long _registrationBytes;
    private int _collected;

    /// <summary>
    /// Shards the tensors <paramref name="parameters"/> (with their <paramref name="gradients"/>)
    /// over the communicator's ranks and registers this rank's shard with a new optimizer from
    /// <paramref name="createOptimizer"/>, which allocates state for the shard alone.
    /// </summary>
    /// <param name="createOptimizer">Makes an optimizer with no tensors and the settings to train with; called again to read checkpoints.</param>
    /// <param name="communicator">The transport; every rank passes the same tensor lengths.</param>
    /// <param name="parameters">Every parameter tensor of the model, in the same order on every rank.</param>
    /// <param name="gradients">Their gradients, one per parameter, of the same length.</param>
    /// <param name="microBatches">How many gradients <see cref="ReduceGradients"/> combines: a multiple of the world size (each rank computes as many); 0 means one per rank.</param>
    /// <exception cref="ArgumentException">The lists differ in length, a gradient's length differs from its parameter's or overlaps it, the micro-batches are not a multiple of the world size, or the optimizer already has tensors.</exception>
    /// <exception cref="NotSupportedException">The optimizer cannot be sharded (see the remarks).</exception>
    public ShardedOptimizer(Func<Optimizer> createOptimizer, ICommunicator communicator, IReadOnlyList<Memory<float>> parameters, IReadOnlyList<Memory<float>> gradients, int microBatches = 0)
    {
        ArgumentNullException.ThrowIfNull(createOptimizer);
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Count != parameters.Count)
        {
            throw new ArgumentException($"{parameters.Count} parameters but {gradients.Count} gradients.", nameof(gradients));
        }

        int world = communicator.WorldSize;
        if ((uint)communicator.Rank >= (uint)world)
        {
            throw new ArgumentException($"The communicator's rank {communicator.Rank} is not in [0, {world}).", nameof(communicator));
        }

        microBatches = microBatches == 0 ? world : microBatches;
        if (microBatches < 0 || microBatches % world != 0)
        {
            throw new ArgumentException($"{microBatches} micro-batches cannot be shared equally by {world} ranks.", nameof(microBatches));
        }

        _createOptimizer = createOptimizer;
        _communicator = communicator;
        _tensors = new ParameterTensor[parameters.Count];
        var lengths = new int[parameters.Count];
        for (int t = 0; t < _tensors.Length; t++)
        {
            if (gradients[t].Length != parameters[t].Length)
            {
                throw new ArgumentException($"Tensor {t}: the gradient has {gradients[t].Length} elements but the parameter has {parameters[t].Length}.", nameof(gradients));
            }

            Guard.Disjoint(parameters[t].Span, gradients[t].Span, $"parameters[{t}]", $"gradients[{t}]");

            // The whole tensors carry no state: clipping and the non-finite check read their gradients.
            _tensors[t] = new ParameterTensor(t, TensorMemory.Of(parameters[t]), TensorMemory.Of(gradients[t]), stateCount: 0, tensorStateCount: 0, StateStorage.Float32);
            lengths[t] = parameters[t].Length;
        }

        // The cuts depend on how the states are stored (8-bit states are cut at whole blocks).
        Inner = CreateEmpty(createOptimizer);
        Partition = new ShardPartition(lengths, world, Inner.StateStorage);
        _pieces = Partition.Pieces(communicator.Rank);

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (ShardPiece piece in _pieces)
        {
            Inner.Add(parameters[piece.Tensor].Slice(piece.Offset, piece.Length), gradients[piece.Tensor].Slice(piece.Offset, piece.Length));
        }

        _registrationBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        int total = checked((int)Partition.TotalElements);
        MicroBatches = microBatches;
        _microBatchesPerRank = microBatches / world;
        _parameterCounts = new int[world];
        _blockCounts = new int[world];
        for (int r = 0; r < world; r++)
        {
            _parameterCounts[r] = Partition.Count(r);
            _blockCounts[r] = checked(_microBatchesPerRank * total);
        }

        _shardParameters = new float[_parameterCounts[communicator.Rank]];
        _flat = new float[total];
        _localBlocks = new float[checked(_microBatchesPerRank * total)];
        _gatheredBlocks = new float[checked(microBatches * total)];
    }

    /// <summary>The optimizer that steps this rank's shard: set hyper-parameters, the non-finite policy and schedulers on it.</summary>
    public Optimizer Inner { get; }

    /// <summary>The whole tensors, without state, in registration order: clip their gradients after <see cref="ReduceGradients"/>.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    /// <summary>How the tensors are cut into shards.</summary>
    public ShardPartition Partition { get; }

    /// <summary>This rank's shard, as pieces of tensors.</summary>
    public IReadOnlyList<ShardPiece> Pieces => _pieces;

    /// <summary>This process's rank.</summary>
    public int Rank => _communicator.Rank;

    /// <summary>The number of ranks.</summary>
    public int WorldSize => _communicator.WorldSize;

    /// <summary>The number of micro-batch gradients each <see cref="ReduceGradients"/> combines, across all ranks.</summary>
    public int MicroBatches { get; }

    /// <summary>Whether <see cref="ReduceGradients"/> sums or averages the micro-batch gradients.</summary>
    public GradientReduction Reduction { get; set; } = GradientReduction.Mean;

    /// <summary>
    /// The bytes of this rank's optimizer state: those allocated while the shard's tensors were
    /// registered with <see cref="Inner"/> (its states in their storage type, measured, with the
    /// small bookkeeping of each piece and the float workspace of 8-bit states), plus the 8-bit
    /// codes and scales, which are allocated when a step first uses them.
    /// </summary>
    public long StateBytes
    {
        get
        {
            long bytes = _registrationBytes;
            foreach (ParameterTensor tensor in Inner.Tensors)
            {
                if (tensor.StateStorage == StateStorage.Int8Blockwise)
                {
                    bytes += tensor.StateBytes;
                }
            }

            return bytes;
        }
    }

    /// <summary>The bytes of the buffers the exchanges use (the gathered gradients and parameters), allocated once.</summary>
    public long CommunicationBytes => ((long)_shardParameters.Length + _flat.Length + _localBlocks.Length + _gatheredBlocks.Length) * sizeof(float);

    /// <summary>
    /// Keeps the gradients now in the registered gradient buffers as this rank's next micro-batch
    /// (<see cref="MicroBatches"/> / world size of them before each <see cref="ReduceGradients"/>).
    /// With one micro-batch per rank it may be left out: the reduction then reads the buffers.
    /// </summary>
    /// <exception cref="InvalidOperationException">This rank has already kept all its micro-batches for this step.</exception>
    public void CollectMicroBatch()
    {
        if (_collected == _microBatchesPerRank)
        {
            throw new InvalidOperationException($"Each rank computes {_microBatchesPerRank} micro-batch(es) per step, and all were collected: call ReduceGradients.");
        }

        WriteGradients(_localBlocks.AsSpan(_collected * _flat.Length, _flat.Length));
        _collected++;
    }

    /// <summary>
    /// Gathers every rank's micro-batch gradients and writes their <see cref="OrderedSum"/> (micro-batch 0
    /// first: rank 0's, then rank 1's, ...) into every rank's gradient buffers. Every rank calls it.
    /// </summary>
    /// <exception cref="InvalidOperationException">This rank collected some but not all of its micro-batches.</exception>
    public void ReduceGradients()
    {
        if (_collected == 0 && _microBatchesPerRank == 1)
        {
            CollectMicroBatch();
        }

        if (_collected != _microBatchesPerRank)
        {
            throw new InvalidOperationException($"This rank collected {_collected} of its {_microBatchesPerRank} micro-batches: collect each before reducing.");
        }

        _collected = 0;
        _communicator.AllGather(_localBlocks, _gatheredBlocks, _blockCounts);
        OrderedSum.Sum(_gatheredBlocks, MicroBatches, _flat, Reduction);
        long start = 0;
        foreach (ParameterTensor tensor in _tensors)
        {
            _flat.AsSpan((int)start, tensor.Length).CopyTo(tensor.Gradient.Span);
            start += tensor.Length;
        }
    }

    /// <summary>
    /// One optimizer step: the non-finite check over every whole gradient (<see cref="Inner"/>'s
    /// policy), the inner step of this rank's shard, then the all-gather that gives every rank the
    /// updated parameters. Every rank calls it, after <see cref="ReduceGradients"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The inner optimizer's settings cannot be sharded (Adan's MaxGradNorm).</exception>
    /// <exception cref="NonFiniteGradientException">A gradient is not finite under <see cref="NonFiniteGradientPolicy.Throw"/>; nothing was changed.</exception>
    public void Step()
    {
        CheckShardable(Inner);
        if (Inner.NonFiniteGradients != NonFiniteGradientPolicy.Ignore)
        {
            // Every rank holds the same whole gradients, so every rank decides the same way.
            Inner.Validate();
            float multiplier = Inner.GradientMultiplier;
            foreach (ParameterTensor tensor in _tensors)
            {
                int element = FiniteCheck.FirstNonFinite(tensor.Gradient.Span, multiplier);
                if (element < 0)
                {
                    continue;
                }

                if (Inner.NonFiniteGradients == NonFiniteGradientPolicy.Throw)
                {
                    throw new NonFiniteGradient(tensor.Index, element, tensor.Gradient.Span[element], multiplier).ToException(tensorOffset: 0, group: -1);
                }

                Inner.RecordSkip();
                return;
            }
        }

        Inner.Step();
        foreach (ParameterTensor tensor in _tensors)
        {
            tensor.Step++;
        }

        GatherParameters();
    }

    /// <summary>Writes this rank's shard checkpoint: <see cref="Inner"/>'s state, with <see cref="Checkpoint.SaveFile(Optimizer, string, CheckpointOptions?)"/>.</summary>
    public void SaveShard(string path, CheckpointOptions? options = null) => Checkpoint.SaveFile(Inner, path, options);

    /// <summary>
    /// Restores this rank's shard from the shard checkpoints of a run with any world size (one
    /// file per rank of that run, in rank order; a single-process checkpoint is one shard), taking
    /// the elements of its own shard from whichever files hold them: the state, step counts,
    /// per-tensor state and hyper-parameters, and with <see cref="CheckpointOptions.IncludeParameters"/>
    /// every tensor's parameters. Participants in <paramref name="options"/> are restored once.
    /// </summary>
    /// <remarks>
    /// Every file is read and checked before anything changes (a refused file changes nothing),
    /// then read again to copy from. One file's state is in memory at a time: loading a
    /// single-process checkpoint needs the whole state's memory for a moment.
    /// </remarks>
    /// <exception cref="CheckpointException">A file is refused (another optimizer, other tensors); nothing was changed.</exception>
    public void LoadShards(IReadOnlyList<string> paths, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfZero(paths.Count);
        options ??= new CheckpointOptions();

        // Pass 1 only checks: stand-in participants take the saved pairs and keep nothing.
        var check = new CheckpointOptions { IncludeParameters = options.IncludeParameters };
        foreach (string name in options.Participants.Keys)
        {
            check.Participants[name] = IgnoredState.Instance;
        }

        ShardPartition source = CheckedSourcePartition(paths, check);

        // The participants are restored with the first file, before any state is copied: if they
        // refuse their pairs, nothing has changed yet.
        for (int r = 0; r < paths.Count; r++)
        {
            Optimizer shard = ReadShard(source, r, paths[r], r == 0 ? options : check, out float[] parameters);
            CopyFrom(source.Pieces(r), shard, parameters, options.IncludeParameters);
        }
    }

    /// <summary>
    /// Writes the checkpoint a single-process run would write (the same bytes) from the shard
    /// checkpoints of a run of any world size: an optimizer from <paramref name="createOptimizer"/>
    /// over whole tensors of <paramref name="tensorLengths"/> elements reads the shards
    /// (<see cref="LoadShards"/>) and is saved to <paramref name="destination"/>.
    /// </summary>
    /// <param name="createOptimizer">Makes an optimizer like the run's.</param>
    /// <param name="tensorLengths">The run's tensor lengths, in order.</param>
    /// <param name="shardPaths">The run's shard files, in rank order.</param>
    /// <param name="destination">The merged checkpoint to write.</param>
    /// <param name="options">Makes the checkpoint options for the merged optimizer (its participants, such as a scheduler over it); none: default options.</param>
    public static void MergeShards(Func<Optimizer> createOptimizer, IReadOnlyList<int> tensorLengths, IReadOnlyList<string> shardPaths, string destination, Func<Optimizer, CheckpointOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensorLengths);
        var parameters = new Memory<float>[tensorLengths.Count];
        var gradients = new Memory<float>[tensorLengths.Count];
        for (int t = 0; t < parameters.Length; t++)
        {
            parameters[t] = new AlignedBuffer(tensorLengths[t]).Memory;
            gradients[t] = new float[tensorLengths[t]];
        }

        var whole = new ShardedOptimizer(createOptimizer, new SingleProcessCommunicator(), parameters, gradients);
        CheckpointOptions checkpointOptions = options?.Invoke(whole.Inner) ?? new CheckpointOptions();
        whole.LoadShards(shardPaths, checkpointOptions);
        whole.SaveShard(destination, checkpointOptions);
    }

    /// <summary>
    /// Reads every file once to check it, and returns the cuts the files were saved with: those of
    /// this optimizer's state storage, or else those of the other kind (a run with 8-bit states
    /// cuts at whole blocks; its shards read into float32 states are dequantized). When neither
    /// fits, the files are refused with both reasons.
    /// </summary>
    private ShardPartition CheckedSourcePartition(IReadOnlyList<string> paths, CheckpointOptions check)
    {
        var own = new ShardPartition(Partition.TensorLengths, paths.Count, Inner.StateStorage);
        try
        {
            CheckFiles(own, paths, check);
            return own;
        }
        catch (CheckpointException refused) when (refused.Error == CheckpointError.Mismatch)
        {
            StateStorage otherCuts = Inner.StateStorage == StateStorage.Int8Blockwise ? StateStorage.Float32 : StateStorage.Int8Blockwise;
            var other = new ShardPartition(Partition.TensorLengths, paths.Count, otherCuts);
            if (!SameCuts(own, other))
            {
                try
                {
                    CheckFiles(other, paths, check);
                    return other;
                }
                catch (CheckpointException alsoRefused)
                {
                    throw new CheckpointException(
                        refused.Error,
                        $"The shard files fit neither the cuts of {Inner.StateStorage} states ({refused.Message}) nor those of {otherCuts} states ({alsoRefused.Message}).",
                        refused);
                }
            }

            throw;
        }
    }

    private void CheckFiles(ShardPartition source, IReadOnlyList<string> paths, CheckpointOptions check)
    {
        for (int r = 0; r < paths.Count; r++)
        {
            ReadShard(source, r, paths[r], check);
        }
    }

    private static bool SameCuts(ShardPartition a, ShardPartition b)
    {
        for (int r = 1; r < a.WorldSize; r++)
        {
            if (a.Start(r) != b.Start(r))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gathers every rank's updated shard into the whole parameters of every rank.</summary>
    private void GatherParameters()
    {
        int at = 0;
        foreach (ShardPiece piece in _pieces)
        {
            _tensors[piece.Tensor].Parameter.Span.Slice(piece.Offset, piece.Length).CopyTo(_shardParameters.AsSpan(at));
            at += piece.Length;
        }

        _communicator.AllGather(_shardParameters, _flat, _parameterCounts);
        int start = 0;
        foreach (ParameterTensor tensor in _tensors)
        {
            _flat.AsSpan(start, tensor.Length).CopyTo(tensor.Parameter.Span);
            start += tensor.Length;
        }
    }

    /// <summary>Copies the whole gradients, tensor after tensor, into one flat block.</summary>
    private void WriteGradients(Span<float> block)
    {
        int start = 0;
        foreach (ParameterTensor tensor in _tensors)
        {
            tensor.Gradient.Span.CopyTo(block.Slice(start));
            start += tensor.Length;
        }
    }

    private void ReadShard(ShardPartition source, int rank, string path, CheckpointOptions options) =>
        ReadShard(source, rank, path, options, out _);

    /// <summary>Reads source rank <paramref name="rank"/>'s file into a new optimizer over its pieces; <paramref name="parameters"/> receives their parameters, flat.</summary>
    private Optimizer ReadShard(ShardPartition source, int rank, string path, CheckpointOptions options, out float[] parameters)
    {
        Optimizer shard = CreateEmpty(_createOptimizer);
        IReadOnlyList<ShardPiece> pieces = source.Pieces(rank);
        parameters = new float[source.Count(rank)];
        int longest = 0;
        foreach (ShardPiece piece in pieces)
        {
            longest = Math.Max(longest, piece.Length);
        }

        // A step only reads gradients, so the pieces may share one (never used) gradient buffer.
        var gradient = new float[longest];
        int at = 0;
        foreach (ShardPiece piece in pieces)
        {
            shard.Add(parameters.AsMemory(at, piece.Length), gradient.AsMemory(0, piece.Length));
            at += piece.Length;
        }

        Checkpoint.LoadFile(shard, path, options);
        return shard;
    }

    /// <summary>Copies what a source shard holds of this rank's shard (and of every tensor's step count and, when saved, parameters).</summary>
    private void CopyFrom(IReadOnlyList<ShardPiece> sourcePieces, Optimizer shard, float[] parameters, bool includeParameters)
    {
        int at = 0;
        for (int j = 0; j < sourcePieces.Count; j++)
        {
            ShardPiece from = sourcePieces[j];
            ParameterTensor loaded = shard.Tensors[j];
            _tensors[from.Tensor].Step = loaded.Step;
            if (includeParameters)
            {
                parameters.AsSpan(at, from.Length).CopyTo(_tensors[from.Tensor].Parameter.Span.Slice(from.Offset));
            }

            at += from.Length;
            for (int i = 0; i < _pieces.Count; i++)
            {
                ShardPiece to = _pieces[i];
                int start = Math.Max(from.Offset, to.Offset), end = Math.Min(from.Offset + from.Length, to.Offset + to.Length);
                bool bothEmpty = from.Length == 0 && to.Length == 0; // a tensor of no elements still has a step count
                if (to.Tensor != from.Tensor || (start >= end && !bothEmpty))
                {
                    continue;
                }

                ParameterTensor target = Inner.Tensors[i];
                for (int s = 0; s < target.StateCount; s++)
                {
                    ShardStates.Copy(loaded, s, start - from.Offset, target, start - to.Offset, end - start);
                }

                // Per-tensor values are the same in every piece of a tensor: they never read an element.
                for (int s = 0; s < target.TensorStateCount; s++)
                {
                    target.TensorState(s) = loaded.TensorState(s);
                }

                target.Step = loaded.Step;
            }
        }

        foreach (string name in shard.HyperparameterNames)
        {
            if (shard.TryGetHyperparameter(name, out double value))
            {
                Inner.TrySetHyperparameter(name, value);
            }
        }
    }

    private static Optimizer CreateEmpty(Func<Optimizer> createOptimizer)
    {
        Optimizer optimizer = createOptimizer() ?? throw new ArgumentException("The factory returned null.", nameof(createOptimizer));
        if (optimizer.Tensors.Count != 0)
        {
            throw new ArgumentException("The factory must return an optimizer with no tensors: the sharded optimizer registers the shard's.", nameof(createOptimizer));
        }

        CheckShardable(optimizer);
        return optimizer;
    }

    /// <exception cref="NotSupportedException">The optimizer needs values a shard does not hold.</exception>
    private static void CheckShardable(Optimizer optimizer)
    {
        string name = optimizer.GetType().Name;
        if (optimizer.Rule.ReductionCount > 0)
        {
            throw new NotSupportedException($"{name} takes norms over each whole tensor, and a shard holds only part of a tensor: it cannot be sharded.");
        }

        if (optimizer.CheckpointCompanion is not null)
        {
            throw new NotSupportedException($"{name} keeps a mode of its own that rewrites every parameter when it switches: it cannot be sharded.");
        }

        if (optimizer.PerTensorStepRefusal is { } refusal)
        {
            throw new NotSupportedException($"{name} with these settings needs every gradient to step any tensor, and a shard steps part of them: {refusal}");
        }

        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            if (tensor.StochasticRounding && tensor.IsStored)
            {
                throw new NotSupportedException(
                    $"Tensor {tensor.Index} of the shard rounds its 16-bit states stochastically, from random bits keyed by the tensor's index and element index; a shard numbers its pieces of tensors anew, so its draws would not be one process's: sharded runs round 16-bit states to nearest (leave StochasticRounding off).");
            }
        }
    }

    /// <summary>A participant that accepts any saved pairs and keeps nothing: the checking pass of <see cref="LoadShards"/>.</summary>
    private sealed class IgnoredState : ICheckpointState
    {
        public static readonly IgnoredState Instance = new();

        public void Save(IDictionary<string, string> state) => throw new NotSupportedException("Only used to read.");

        public Action PrepareLoad(IReadOnlyDictionary<string, string> state) => static () => { };
    }
}
