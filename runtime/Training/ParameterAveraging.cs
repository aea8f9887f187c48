using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Training;

/// <summary>
/// A running average of parameters: average buffers registered with the parameters they follow
/// (<c>Add(average, parameters)</c>), each with its own step count (the first step copies the
/// parameters), updated by <see cref="Step"/> with one generated kernel pass per buffer. Not an
/// optimizer: there is no gradient.
/// </summary>
/// <remarks>
/// <para>Checkpoints: <see cref="Save"/> and <see cref="Load"/> write and read a checkpoint of no
/// optimizer groups holding the settings and step counts and, with
/// <see cref="CheckpointOptions.IncludeParameters"/>, the averages (in its metadata, as LBFGS
/// does). As an <see cref="ICheckpointState"/> in <see cref="CheckpointOptions.Participants"/> it
/// joins an optimizer's checkpoint with its settings and step counts; the averages are then
/// buffers its owner saves, as the parameters are.</para>
/// </remarks>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)]
public abstract class ParameterAverage : ICheckpointState
{
    private float[]? _warmScratch;

    private readonly List<(Memory<float> Average, Memory<float> Parameter)> _pairs = new();
    private readonly List<int> _steps = new();
    private readonly string _checkpointName;

    private protected ParameterAverage(string checkpointName) => _checkpointName = checkpointName;

    /// <summary>The kernel path, as for an optimizer.</summary>
    public KernelPath Path { get; set; }

    /// <summary>The number of registered averages.</summary>
    public int Count => _pairs.Count;

    /// <summary>Registers an average buffer and the parameters it follows; its first step copies them.</summary>
    /// <exception cref="ArgumentException">
    /// The two differ in length or share memory, or the average shares memory with a buffer
    /// registered already (or the parameters with a registered average).
    /// </exception>
    public void Add(Memory<float> average, Memory<float> parameter)
    {
        Guard.SameLength(average.Length, parameter.Length, nameof(parameter));
        Guard.Disjoint(average.Span, parameter.Span, nameof(average), nameof(parameter));
        foreach ((Memory<float> otherAverage, Memory<float> otherParameter) in _pairs)
        {
            // An average is written: it may share memory with nothing another pair reads or writes.
            Guard.Disjoint(otherAverage.Span, average.Span, "a registered average", nameof(average));
            Guard.Disjoint(otherParameter.Span, average.Span, "a registered parameter", nameof(average));
            Guard.Disjoint(otherAverage.Span, parameter.Span, "a registered average", nameof(parameter));
        }

        _pairs.Add((average, parameter));
        _steps.Add(0);
    }

    /// <summary>How many steps the average <paramref name="index"/> (in registration order) has taken.</summary>
    public int StepCount(int index) => _steps[index];

    /// <summary>
    /// Compiles <see cref="Step"/> for the current settings (the first step and the later ones) on
    /// scratch buffers of its own, fully optimized, so that the first step does not wait for the JIT.
    /// Reads and writes no registered buffer and changes no step count; may run on any thread while
    /// another steps; allocates nothing after its first call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range; nothing was changed.</exception>
    public void Warm()
    {
        Validate();
        float[] scratch = _warmScratch ??= new float[2 * WarmUp.ScratchLength];
        Span<float> average = scratch.AsSpan(0, WarmUp.ScratchLength);
        Span<float> parameter = scratch.AsSpan(WarmUp.ScratchLength);
        Update(average, parameter, step: 1);
        Update(average, parameter, step: 2);
        WarmUp.PrepareOptimized(typeof(ParameterAverage));
        WarmUp.PrepareOptimized(GetType());
    }

    /// <summary>Updates every average once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">An average has taken <see cref="int.MaxValue"/> steps; nothing was changed.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Step()
    {
        Validate();
        int full = _steps.IndexOf(int.MaxValue);
        if (full >= 0)
        {
            throw new InvalidOperationException($"The average {full} has taken int.MaxValue steps: its step count cannot grow.");
        }

        for (int i = 0; i < _pairs.Count; i++)
        {
            int step = ++_steps[i];
            Update(_pairs[i].Average.Span, _pairs[i].Parameter.Span, step);
        }
    }

    /// <summary>Writes the settings, step counts and, with <see cref="CheckpointOptions.IncludeParameters"/>, the averages to <paramref name="destination"/> (left open).</summary>
    /// <exception cref="ArgumentException">A participant of <paramref name="options"/> has this average's own name (<c>ema</c>, <c>swa</c>) or an invalid one.</exception>
    /// <exception cref="NotSupportedException">The averages are larger than a checkpoint's metadata may be (100 MB); nothing was written.</exception>
    public void Save(Stream destination, CheckpointOptions? options = null) =>
        CheckpointWriter.Write(Array.Empty<Optimizer>(), destination, WithSelf(options));

    /// <summary>Restores what <see cref="Save"/> wrote: the same number of averages, of the same lengths, must be registered. A refused checkpoint changes nothing.</summary>
    /// <exception cref="CheckpointException">The checkpoint is refused; nothing was changed.</exception>
    public void Load(Stream source, CheckpointOptions? options = null) =>
        CheckpointReader.Read(Array.Empty<Optimizer>(), source, WithSelf(options), wholeStream: false);

    void ICheckpointState.Save(IDictionary<string, string> state) => SaveState(state, includeAverages: false);

    Action ICheckpointState.PrepareLoad(IReadOnlyDictionary<string, string> state) => PrepareState(state, includeAverages: false);

    /// <summary>Checks the settings before a step; throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    private protected virtual void Validate()
    {
    }

    /// <summary>Runs the averaging kernel over one average on <see cref="Path"/>; <paramref name="step"/> is 1 on its first step.</summary>
    private protected abstract void Update(Span<float> average, ReadOnlySpan<float> parameter, int step);

    private protected virtual void SaveSettings(IDictionary<string, string> state)
    {
    }

    /// <summary>Parses the settings <see cref="SaveSettings"/> wrote, changing nothing; returns their commit.</summary>
    private protected virtual Action PrepareSettings(IReadOnlyDictionary<string, string> state) => static () => { };

    private protected static string Get(IReadOnlyDictionary<string, string> state, string key) =>
        state.TryGetValue(key, out string? text) ? text : throw new InvalidDataException($"'{key}' is missing.");

    private CheckpointOptions WithSelf(CheckpointOptions? options)
    {
        bool includeAverages = options?.IncludeParameters ?? false;
        return CheckpointOwnState.With(options, _checkpointName, new OwnState(this, includeAverages));
    }

    private void SaveState(IDictionary<string, string> state, bool includeAverages)
    {
        ArgumentNullException.ThrowIfNull(state);
        SaveSettings(state);
        state["count"] = Count.ToString(CultureInfo.InvariantCulture);
        state["steps"] = string.Join(",", _steps.ConvertAll(step => step.ToString(CultureInfo.InvariantCulture)));
        if (!includeAverages)
        {
            return;
        }

        // The averages travel in the header, which readers cap; refuse before anything is written.
        long base64Bytes = 0;
        foreach ((Memory<float> average, _) in _pairs)
        {
            base64Bytes += (long)average.Length * sizeof(float) * 4 / 3;
        }

        if (base64Bytes > SafetensorsHeader.MaximumLength)
        {
            throw new NotSupportedException($"The averages ({base64Bytes} bytes as base64) do not fit a checkpoint's metadata ({SafetensorsHeader.MaximumLength} bytes): save them with the model.");
        }

        for (int i = 0; i < _pairs.Count; i++)
        {
            state["average." + i.ToString(CultureInfo.InvariantCulture)] = CheckpointOwnState.Encode(_pairs[i].Average.Span);
        }
    }

    private Action PrepareState(IReadOnlyDictionary<string, string> state, bool includeAverages)
    {
        ArgumentNullException.ThrowIfNull(state);
        Action commitSettings = PrepareSettings(state);
        string count = Get(state, "count");
        if (count != Count.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"'count' is '{count}' but {Count} averages are registered.");
        }

        string text = Get(state, "steps");
        string[] parts = Count == 0 ? Array.Empty<string>() : text.Split(',');
        if (parts.Length != Count || (Count == 0 && text.Length != 0))
        {
            throw new InvalidDataException($"'steps' is '{text}': it lists {Count} step counts.");
        }

        int[] steps = new int[Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out steps[i]))
            {
                throw new InvalidDataException($"'steps' is '{text}': '{parts[i]}' is not a step count.");
            }
        }

        float[][] averages = new float[includeAverages ? Count : 0][];
        for (int i = 0; i < averages.Length; i++)
        {
            string key = "average." + i.ToString(CultureInfo.InvariantCulture);
            averages[i] = CheckpointOwnState.Decode(Get(state, key), _pairs[i].Average.Length, $"'{key}'");
        }

        return () =>
        {
            commitSettings();
            for (int i = 0; i < steps.Length; i++)
            {
                _steps[i] = steps[i];
            }

            for (int i = 0; i < averages.Length; i++)
            {
                averages[i].CopyTo(_pairs[i].Average.Span);
            }
        };
    }

    /// <summary>The average's state with or without the averages themselves.</summary>
    private sealed class OwnState(ParameterAverage owner, bool includeAverages) : ICheckpointState
    {
        public void Save(IDictionary<string, string> state) => owner.SaveState(state, includeAverages);

        public Action PrepareLoad(IReadOnlyDictionary<string, string> state) => owner.PrepareState(state, includeAverages);
    }
}

/// <summary>
/// An exponential moving average of parameters (as EMA utilities keep for evaluation):
/// average = parameter on the first step, then average = decay·average + (1 − decay)·parameter.
/// Register each average buffer with the parameters it follows: <c>ema.Add(average, parameters)</c>;
/// <see cref="ParameterAverage.Step"/> updates every average.
/// </summary>
public sealed class ExponentialMovingAverage : ParameterAverage
{
    /// <summary>The participant name of its own checkpoints (<see cref="ParameterAverage.Save"/>).</summary>
    public const string CheckpointName = "ema";

    /// <summary>An EMA with no averages yet.</summary>
    public ExponentialMovingAverage()
        : base(CheckpointName)
    {
    }

    /// <summary>How much of the average each step keeps, in [0, 1].</summary>
    public float Decay { get; set; } = 0.999f;

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void Validate() => Guard.InRange(Decay, 0, 1, maximumIsExclusive: false, nameof(Decay));

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void Update(Span<float> average, ReadOnlySpan<float> parameter, int step) =>
        AveragingKernels.ExponentialMovingAverage(Path, average, parameter, Decay, step == 1);

    private protected override void SaveSettings(IDictionary<string, string> state) =>
        state["decay"] = ((double)Decay).ToString("R", CultureInfo.InvariantCulture);

    private protected override Action PrepareSettings(IReadOnlyDictionary<string, string> state)
    {
        string text = Get(state, "decay");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double decay) || !(decay >= 0 && decay <= 1))
        {
            throw new InvalidDataException($"'decay' is '{text}', not a number in [0, 1].");
        }

        return () => Decay = (float)decay;
    }
}

/// <summary>
/// The equal-weight running average of parameters of stochastic weight averaging
/// (<c>torch.optim.swa_utils.AveragedModel</c>'s default): average = parameter on the first step,
/// then average = average + (parameter − average) / step.
/// </summary>
public sealed class StochasticWeightAverage : ParameterAverage
{
    /// <summary>The participant name of its own checkpoints (<see cref="ParameterAverage.Save"/>).</summary>
    public const string CheckpointName = "swa";

    /// <summary>An SWA with no averages yet.</summary>
    public StochasticWeightAverage()
        : base(CheckpointName)
    {
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private protected override void Update(Span<float> average, ReadOnlySpan<float> parameter, int step) =>
        AveragingKernels.StochasticWeightAverage(Path, average, parameter, step);
}

/// <summary>The averaging rules as kernels over an average and the parameters it follows (read only).</summary>
internal static partial class AveragingKernels
{
    [Kernel]
    internal static void ExponentialMovingAverage(ref float average, float parameter, [Uniform] float decay, bool first)
    {
        average = first ? parameter : decay * average + (1f - decay) * parameter;
    }

    [Kernel]
    internal static void StochasticWeightAverage(ref float average, float parameter, int step)
    {
        average = step == 1 ? parameter : average + (parameter - average) / step;
    }
}
