using System;
using System.Collections.Generic;

namespace KernelGen.Schedulers;

/// <summary>
/// A scheduler argument that torch takes either as one number for every parameter group or as a
/// list with one number per group (<c>max_lr</c>, <c>base_momentum</c>, <c>min_lr</c>, ...).
/// Converts implicitly from a <see cref="double"/> and from a <see cref="double"/> array.
/// </summary>
public readonly struct PerGroup
{
    private readonly double _value;
    private readonly double[]? _values;

    /// <summary>The same value for every group.</summary>
    public PerGroup(double value)
    {
        _value = value;
        _values = null;
    }

    /// <summary>One value per group, in the order of the scheduler's optimizers (copied).</summary>
    public PerGroup(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new double[values.Count];
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = values[i];
        }

        _value = 0;
    }

    /// <summary>The same value for every group.</summary>
    public static implicit operator PerGroup(double value) => new(value);

    /// <summary>One value per group.</summary>
    public static implicit operator PerGroup(double[] values) => new(values);

    /// <summary>The value of each of <paramref name="groups"/> groups.</summary>
    /// <exception cref="ArgumentException">A list of the wrong length (torch: "expected N values for NAME, got M").</exception>
    internal double[] Resolve(int groups, string argument)
    {
        var resolved = new double[groups];
        if (_values is null)
        {
            Array.Fill(resolved, _value);
            return resolved;
        }

        if (_values.Length != groups)
        {
            throw new ArgumentException($"Expected {groups} values for {argument}, got {_values.Length}.", argument);
        }

        _values.CopyTo(resolved, 0);
        return resolved;
    }
}
