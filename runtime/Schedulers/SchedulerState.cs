using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace KernelGen.Schedulers;

/// <summary>
/// Writes a scheduler's checkpoint pairs under a key prefix, so a composite can store each
/// child's pairs beside its own (<c>schedulers.0.last_epoch</c>) with the same code.
/// </summary>
internal readonly struct SchedulerStateWriter
{
    private readonly IDictionary<string, string> _state;
    private readonly string _prefix;

    public SchedulerStateWriter(IDictionary<string, string> state, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _prefix = prefix;
    }

    public SchedulerStateWriter Nested(string prefix) => new(_state, _prefix + prefix);

    public void Put(string key, string value) => _state[_prefix + key] = value;

    public void Put(string key, int value) => Put(key, value.ToString(CultureInfo.InvariantCulture));

    public void Put(string key, long value) => Put(key, value.ToString(CultureInfo.InvariantCulture));

    // "R": the shortest text that parses back to the same double, so a resumed run is bit for bit.
    public void Put(string key, double value) => Put(key, value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The per-group state torch keeps in <c>param_groups</c>: the double rate and <c>initial_lr</c>.</summary>
    public void PutGroups(IReadOnlyList<ParamGroupState> groups)
    {
        Put("group_count", groups.Count);
        for (int i = 0; i < groups.Count; i++)
        {
            Put($"groups.{i}.lr", groups[i].SavedLr);
            if (groups[i].InitialLr is { } initial)
            {
                // Absent means None: ReduceLROnPlateau alone never sets it.
                Put($"groups.{i}.initial_lr", initial);
            }
        }
    }

    public void PutArray(string key, IReadOnlyList<double> values)
    {
        for (int i = 0; i < values.Count; i++)
        {
            Put($"{key}.{i}", values[i]);
        }
    }
}

/// <summary>
/// Parses and validates a scheduler's checkpoint pairs. Every failure throws
/// <see cref="InvalidDataException"/> naming the key and the value, before anything is changed;
/// the keys read are recorded so that the top level can refuse pairs nobody expected (a saved
/// composite with more children, a scheduler of another kind).
/// </summary>
internal sealed class SchedulerStateReader
{
    private readonly IReadOnlyDictionary<string, string> _state;
    private readonly string _prefix;
    private readonly HashSet<string> _read;

    public SchedulerStateReader(IReadOnlyDictionary<string, string> state)
        : this(state ?? throw new ArgumentNullException(nameof(state)), string.Empty, new HashSet<string>(StringComparer.Ordinal))
    {
    }

    private SchedulerStateReader(IReadOnlyDictionary<string, string> state, string prefix, HashSet<string> read)
    {
        _state = state;
        _prefix = prefix;
        _read = read;
    }

    public SchedulerStateReader Nested(string prefix) => new(_state, _prefix + prefix, _read);

    public string GetString(string key)
    {
        string name = _prefix + key;
        if (!_state.TryGetValue(name, out string? value))
        {
            throw new InvalidDataException($"Scheduler state '{name}' is missing.");
        }

        _read.Add(name);
        return value;
    }

    public bool Has(string key) => _state.ContainsKey(_prefix + key);

    public int GetInt(string key, int min, int max = int.MaxValue) => (int)GetLong(key, min, max);

    public long GetLong(string key, long min, long max = long.MaxValue)
    {
        string text = GetString(key);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new InvalidDataException($"Scheduler state '{_prefix + key}' is '{text}', not an integer in [{min}, {max}].");
        }

        return value;
    }

    /// <summary>A double; <paramref name="finite"/> refuses ±infinity, and NaN is always refused (no scheduler state is NaN in a sound run).</summary>
    public double GetDouble(string key, bool finite = true)
    {
        string text = GetString(key);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || double.IsNaN(value)
            || (finite && double.IsInfinity(value)))
        {
            throw new InvalidDataException($"Scheduler state '{_prefix + key}' is '{text}', not a {(finite ? "finite " : string.Empty)}number.");
        }

        return value;
    }

    public double[] GetArray(string key, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = GetDouble($"{key}.{i}");
        }

        return values;
    }

    /// <summary>Refuses a saved value that differs from this scheduler's (its construction arguments).</summary>
    public void Expect(string key, string expected, string what)
    {
        string saved = GetString(key);
        if (!string.Equals(saved, expected, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The checkpoint's {what} ('{_prefix + key}') is '{saved}'; this scheduler's is '{expected}'.");
        }
    }

    public void Expect(string key, int expected, string what)
        => Expect(key, expected.ToString(CultureInfo.InvariantCulture), what);

    /// <summary>Parses what <see cref="SchedulerStateWriter.PutGroups"/> wrote and returns the commit restoring it.</summary>
    public Action GetGroups(IReadOnlyList<ParamGroupState> groups)
    {
        Expect("group_count", groups.Count, "number of parameter groups");
        var lrs = new double[groups.Count];
        var initialLrs = new double?[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            lrs[i] = GetDouble($"groups.{i}.lr");
            initialLrs[i] = Has($"groups.{i}.initial_lr") ? GetDouble($"groups.{i}.initial_lr") : null;
        }

        return () =>
        {
            for (int i = 0; i < groups.Count; i++)
            {
                groups[i].Restore(lrs[i], initialLrs[i]);
            }
        };
    }

    /// <summary>Refuses keys no part of the scheduler read: the checkpoint holds state this scheduler does not have.</summary>
    public void CheckAllRead()
    {
        foreach (string key in _state.Keys)
        {
            if (!_read.Contains(key))
            {
                throw new InvalidDataException($"Scheduler state '{key}' is not part of this scheduler's state (another kind or shape of scheduler was saved).");
            }
        }
    }
}
