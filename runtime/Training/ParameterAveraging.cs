using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// An exponential moving average of parameters (as EMA utilities keep for evaluation):
/// average = parameter on the first step, then average = decay·average + (1 − decay)·parameter.
/// Register each average buffer with the parameters it follows: <c>ema.Add(average, parameters)</c>;
/// <see cref="Step"/> updates every average in one fused pass per buffer.
/// </summary>
/// <remarks>
/// An <see cref="ICheckpointState"/>: pass it in <see cref="CheckpointOptions.Participants"/> to save
/// <see cref="Decay"/> and the step counts with the optimizer's checkpoint. The averages are buffers
/// you own, as the parameters are: save them with the model.
/// </remarks>
public sealed class ExponentialMovingAverage : ICheckpointState
{
    private readonly AveragedBuffers _buffers = new();

    /// <summary>How much of the average each step keeps, in [0, 1].</summary>
    public float Decay { get; set; } = 0.999f;

    /// <summary>The kernel path, as for an optimizer.</summary>
    public KernelPath Path { get; set; }

    /// <summary>The number of registered averages.</summary>
    public int Count => _buffers.Count;

    /// <summary>Registers an average buffer and the parameters it follows; its first step copies them.</summary>
    /// <exception cref="ArgumentException">The two differ in length, share memory, or the average overlaps one already registered.</exception>
    public void Add(Memory<float> average, Memory<float> parameter) => _buffers.Add(average, parameter);

    /// <summary>How many steps the average <paramref name="index"/> (in registration order) has taken.</summary>
    public int StepCount(int index) => _buffers.StepCount(index);

    /// <summary>Updates every average once.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Decay"/> is outside [0, 1] or NaN; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">An average has taken <see cref="int.MaxValue"/> steps; nothing was changed.</exception>
    public void Step()
    {
        Guard.InRange(Decay, 0, 1, maximumIsExclusive: false, nameof(Decay));
        _buffers.CheckCanStep();
        for (int i = 0; i < _buffers.Count; i++)
        {
            (Memory<float> average, Memory<float> parameter, int step) = _buffers.Advance(i);
            AveragingKernels.ExponentialMovingAverage(Path, average.Span, parameter.Span, Decay, step == 1);
        }
    }

    /// <inheritdoc/>
    public void Save(IDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state["decay"] = ((double)Decay).ToString("R", CultureInfo.InvariantCulture);
        _buffers.Save(state);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">A value is missing or malformed, or the number of averages differs.</exception>
    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string text = AveragedBuffers.Get(state, "decay");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double decay) || !(decay >= 0 && decay <= 1))
        {
            throw new InvalidDataException($"'decay' is '{text}', not a number in [0, 1].");
        }

        Action commitSteps = _buffers.PrepareLoad(state);
        return () =>
        {
            Decay = (float)decay;
            commitSteps();
        };
    }
}

/// <summary>
/// The equal-weight running average of parameters of stochastic weight averaging
/// (<c>torch.optim.swa_utils.AveragedModel</c>'s default): average = parameter on the first step,
/// then average = average + (parameter − average) / step.
/// </summary>
/// <remarks>
/// An <see cref="ICheckpointState"/>: pass it in <see cref="CheckpointOptions.Participants"/> to save
/// the step counts with the optimizer's checkpoint. The averages are buffers you own, as the
/// parameters are: save them with the model.
/// </remarks>
public sealed class StochasticWeightAverage : ICheckpointState
{
    private readonly AveragedBuffers _buffers = new();

    /// <summary>The kernel path, as for an optimizer.</summary>
    public KernelPath Path { get; set; }

    /// <summary>The number of registered averages.</summary>
    public int Count => _buffers.Count;

    /// <summary>Registers an average buffer and the parameters it follows; its first step copies them.</summary>
    /// <exception cref="ArgumentException">The two differ in length, share memory, or the average overlaps one already registered.</exception>
    public void Add(Memory<float> average, Memory<float> parameter) => _buffers.Add(average, parameter);

    /// <summary>How many steps the average <paramref name="index"/> (in registration order) has taken.</summary>
    public int StepCount(int index) => _buffers.StepCount(index);

    /// <summary>Updates every average once.</summary>
    /// <exception cref="InvalidOperationException">An average has taken <see cref="int.MaxValue"/> steps; nothing was changed.</exception>
    public void Step()
    {
        _buffers.CheckCanStep();
        for (int i = 0; i < _buffers.Count; i++)
        {
            (Memory<float> average, Memory<float> parameter, int step) = _buffers.Advance(i);
            AveragingKernels.StochasticWeightAverage(Path, average.Span, parameter.Span, step);
        }
    }

    /// <inheritdoc/>
    public void Save(IDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _buffers.Save(state);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">A value is missing or malformed, or the number of averages differs.</exception>
    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return _buffers.PrepareLoad(state);
    }
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

/// <summary>The averages registered with an averaging: each with the parameters it follows and its own step count.</summary>
internal sealed class AveragedBuffers
{
    private readonly List<(Memory<float> Average, Memory<float> Parameter)> _pairs = new();
    private readonly List<int> _steps = new();

    public int Count => _pairs.Count;

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

    public int StepCount(int index) => _steps[index];

    /// <exception cref="InvalidOperationException">An average has taken <see cref="int.MaxValue"/> steps.</exception>
    public void CheckCanStep()
    {
        for (int i = 0; i < _steps.Count; i++)
        {
            if (_steps[i] == int.MaxValue)
            {
                throw new InvalidOperationException($"The average {i} has taken int.MaxValue steps: its step count cannot grow.");
            }
        }
    }

    /// <summary>Counts a step of the average <paramref name="index"/> and returns it with its new step count (1 on the first).</summary>
    public (Memory<float> Average, Memory<float> Parameter, int Step) Advance(int index)
    {
        int step = ++_steps[index]; // checked by CheckCanStep: never past int.MaxValue
        (Memory<float> average, Memory<float> parameter) = _pairs[index];
        return (average, parameter, step);
    }

    public void Save(IDictionary<string, string> state)
    {
        state["count"] = Count.ToString(CultureInfo.InvariantCulture);
        state["steps"] = string.Join(",", _steps.ConvertAll(step => step.ToString(CultureInfo.InvariantCulture)));
    }

    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
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

        return () =>
        {
            for (int i = 0; i < steps.Length; i++)
            {
                _steps[i] = steps[i];
            }
        };
    }

    public static string Get(IReadOnlyDictionary<string, string> state, string key) =>
        state.TryGetValue(key, out string? text) ? text : throw new InvalidDataException($"'{key}' is missing.");
}
