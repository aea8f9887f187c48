using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>What <see cref="Lookahead"/> does to the inner optimizer's momentum at a sync (pytorch_optimizer's <c>pullback_momentum</c>).</summary>
public enum LookaheadPullback
{
    /// <summary>Leave it (<c>'none'</c>, the default).</summary>
    None,

    /// <summary>Zero it (<c>'reset'</c>).</summary>
    Reset,

    /// <summary>Interpolate it as the weights are (<c>'pullback'</c>; see <see cref="Lookahead"/>'s remarks).</summary>
    Pullback,
}

/// <summary>
/// Lookahead ("k steps forward, 1 step back"; Zhang et al., 2019), as
/// <c>pytorch_optimizer.Lookahead</c> 3.9.0, around any <see cref="Optimizer"/>: the slow weights
/// start as a copy of the parameters (at construction, or when a tensor is added); after every
/// <see cref="K"/> inner steps, fast = α·fast + (1 − α)·slow and slow = fast, in one generated
/// pass over each tensor.
/// </summary>
/// <remarks>
/// <para>The counter counts inner steps for all tensors together (the reference's per-group
/// counter); a step the inner optimizer skipped for a non-finite gradient does not count.</para>
/// <para><see cref="PullbackMomentum"/> acts on the inner state named <c>momentumBuffer</c>
/// (<see cref="SGD"/>'s and <see cref="RMSprop"/>'s momentum, the reference's
/// <c>momentum_buffer</c>); an inner optimizer without one is left alone, as in the reference.
/// <see cref="LookaheadPullback.Pullback"/> follows the reference as written: its slow momentum
/// starts at zero, so the first sync scales the momentum by α, and from then on it is the inner
/// buffer itself, scaled in place before it is added, so later syncs compute α·m + (1 − α)·α·m.</para>
/// <para>Schedulers and clipping take <see cref="OptimizerWrapper.Inner"/>.</para>
/// </remarks>
public sealed class Lookahead : OptimizerWrapper
{
    // Per adopted tensor, in the inner optimizer's order: its slow weights, and how many momentum
    // pullbacks it has had (its slow momentum is zero before the first).
    private readonly List<AlignedBuffer> _slowWeights = new();
    private readonly List<int> _pullbacks = new();
    private readonly int _momentumState;
    private float[]? _warmScratch;

    /// <summary>Wraps <paramref name="inner"/>; tensors it has already are adopted now (their slow weights copied).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or <paramref name="alpha"/> is outside [0, 1).</exception>
    public Lookahead(Optimizer inner, int k = 5, float alpha = 0.5f, LookaheadPullback pullbackMomentum = LookaheadPullback.None)
        : base(inner)
    {
        K = k;
        Alpha = alpha;
        PullbackMomentum = pullbackMomentum;
        Validate();
        _momentumState = IndexOf(inner.Rule.StateNames, "momentumBuffer");
        AdoptTensors();
    }

    /// <summary>Inner steps between syncs (<c>k</c>).</summary>
    public int K { get; set; }

    /// <summary>The weight of the fast weights in a sync (<c>alpha</c>).</summary>
    public float Alpha { get; set; }

    /// <summary>What a sync does to the inner momentum (<c>pullback_momentum</c>).</summary>
    public LookaheadPullback PullbackMomentum { get; set; }

    /// <summary>Inner steps since the last sync (the reference's <c>counter</c>).</summary>
    public int Counter { get; private set; }

    /// <summary>
    /// What a checkpoint saves besides the inner optimizer (<see cref="Checkpoint.Save(Lookahead, System.IO.Stream, CheckpointOptions?)"/>):
    /// the settings, the counter, and per tensor the slow weights and, with a momentum pullback, its sync count.
    /// </summary>
    internal ICheckpointCompanion CheckpointCompanion => new LookaheadCheckpoint(this);

    /// <summary>The slow weights of tensor <paramref name="index"/> (in <see cref="OptimizerWrapper.Tensors"/>' order).</summary>
    public Span<float> SlowWeights(int index) => _slowWeights[index].Span;

    /// <inheritdoc/>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public override void Validate()
    {
        if (K < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "k must be positive.");
        }

        if (!(Alpha >= 0f && Alpha < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "alpha must be in [0, 1).");
        }
    }

    /// <inheritdoc/>
    protected override void OnTensorAdded(ParameterTensor tensor)
    {
        _slowWeights.Add(new AlignedBuffer(tensor.Parameter.Span));
        _pullbacks.Add(0);
    }

    /// <inheritdoc/>
    protected override void WarmOwnKernels()
    {
        float[] scratch = _warmScratch ??= new float[2 * WarmUp.ScratchLength];
        Span<float> fast = scratch.AsSpan(0, WarmUp.ScratchLength);
        Span<float> slow = scratch.AsSpan(WarmUp.ScratchLength);
        LookaheadKernels.Sync(Path, fast, slow, Alpha);
        LookaheadKernels.PullbackMomentum(Path, fast, Alpha, firstSync: true);
        LookaheadKernels.PullbackMomentum(Path, fast, Alpha, firstSync: false);
    }

    /// <inheritdoc/>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected override void AfterInnerStep()
    {
        if (++Counter < K)
        {
            return;
        }

        Counter = 0;
        // Indexed, not foreach: an interface enumerator would allocate at every sync.
        IReadOnlyList<ParameterTensor> tensors = Tensors;
        for (int i = 0; i < tensors.Count; i++)
        {
            LookaheadKernels.Sync(Path, tensors[i].Parameter.Span, _slowWeights[i].Span, Alpha);
        }

        if (_momentumState < 0)
        {
            return;
        }

        for (int i = 0; i < tensors.Count; i++)
        {
            Span<float> momentum = tensors[i].State(_momentumState);
            if (PullbackMomentum == LookaheadPullback.Reset)
            {
                momentum.Clear();
            }
            else if (PullbackMomentum == LookaheadPullback.Pullback)
            {
                LookaheadKernels.PullbackMomentum(Path, momentum, Alpha, firstSync: ++_pullbacks[i] == 1);
            }
        }
    }

    /// <summary>Lookahead's part of a checkpoint; a separate object so that a Lookahead is not itself a participant.</summary>
    private sealed class LookaheadCheckpoint : ICheckpointCompanion
    {
        private readonly Lookahead _owner;

        public LookaheadCheckpoint(Lookahead owner) => _owner = owner;

        public string CompanionName => "lookahead";

        public void AddSlots(int tensor, string prefix, Action<Slot> add)
        {
            add(Slot.Buffer(prefix + "slow_param", _owner._slowWeights[tensor].Memory));
            if (_owner._momentumState >= 0)
            {
                // The pullback count says whether the tensor has had its first sync (its slow momentum is still zero).
                add(Slot.Count(prefix + "pullback_syncs", () => _owner._pullbacks[tensor], count => _owner._pullbacks[tensor] = count));
            }
        }

        public void Save(IDictionary<string, string> state)
        {
            state["k"] = _owner.K.ToString(CultureInfo.InvariantCulture);
            state["alpha"] = ((double)_owner.Alpha).ToString("R", CultureInfo.InvariantCulture);
            state["pullback_momentum"] = _owner.PullbackMomentum.ToString();
            state["counter"] = _owner.Counter.ToString(CultureInfo.InvariantCulture);
        }

        public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
        {
            int k = ParseInt(state, "k", 1, int.MaxValue);
            float alpha = (float)ParseDouble(state, "alpha");
            if (!(alpha >= 0f && alpha < 1f))
            {
                throw new InvalidDataException($"'alpha' is {alpha}; it lies in [0, 1).");
            }

            string pullbackText = Get(state, "pullback_momentum");
            if (!Enum.TryParse(pullbackText, out LookaheadPullback pullback) || !Enum.IsDefined(pullback) || pullbackText != pullback.ToString())
            {
                throw new InvalidDataException($"'pullback_momentum' is '{pullbackText}', not one of {string.Join(", ", Enum.GetNames<LookaheadPullback>())}.");
            }

            int counter = ParseInt(state, "counter", 0, k - 1);
            return () =>
            {
                _owner.K = k;
                _owner.Alpha = alpha;
                _owner.PullbackMomentum = pullback;
                _owner.Counter = counter;
            };
        }

        private static string Get(IReadOnlyDictionary<string, string> state, string key) =>
            state.TryGetValue(key, out string? text) ? text : throw new InvalidDataException($"'{key}' is missing.");

        private static int ParseInt(IReadOnlyDictionary<string, string> state, string key, int min, int max)
        {
            string text = Get(state, key);
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
                ? value
                : throw new InvalidDataException($"'{key}' is '{text}', not an integer in [{min}, {max}].");
        }

        private static double ParseDouble(IReadOnlyDictionary<string, string> state, string key)
        {
            string text = Get(state, key);
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw new InvalidDataException($"'{key}' is '{text}', not a number.");
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Lookahead's kernels over a tensor.</summary>
internal static partial class LookaheadKernels
{
    /// <summary>
    /// The sync: fast = α·fast + (1 − α)·slow; slow = fast (the reference's
    /// <c>p.mul_(alpha).add_(slow, alpha=1 - alpha)</c>).
    /// </summary>
    [Kernel]
    internal static void Sync(ref float fast, ref float slow, [Uniform] float alpha)
    {
        fast = fast * alpha + (1f - alpha) * slow;
        slow = fast;
    }

    /// <summary>
    /// The momentum pullback as the reference computes it, <c>m.mul_(alpha).add_(s, alpha=1 - alpha)</c>:
    /// the slow momentum s is zero at a tensor's first sync and afterwards the buffer m itself,
    /// already multiplied by α when it is added.
    /// </summary>
    [Kernel]
    internal static void PullbackMomentum(ref float momentum, [Uniform] float alpha, bool firstSync)
    {
        float scaled = momentum * alpha;
        momentum = scaled + (1f - alpha) * (firstSync ? 0f : scaled);
    }
}
