using System;
using System.Collections.Generic;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The arrays of one registered tensor, by the rule's names: the parameter and gradient the
/// caller registered and the optimizer's own state buffers. Baselines run on exactly these
/// memories, so every contender of a row reads and writes the same addresses and alignment.
/// </summary>
public sealed class TensorArrays
{
    private readonly ParameterTensor _tensor;
    private readonly IReadOnlyList<string> _stateNames;
    private readonly UpdateRule _rule;

    /// <summary>Wraps <paramref name="tensor"/>, registered with <paramref name="optimizer"/>.</summary>
    public TensorArrays(Optimizer optimizer, ParameterTensor tensor)
    {
        _tensor = tensor;
        _rule = optimizer.Rule;
        _stateNames = _rule.StateNames;
    }

    /// <summary>The number of elements.</summary>
    public int Length => _tensor.Length;

    /// <summary>The parameter, updated in place.</summary>
    public Span<float> Param => _tensor.Parameter.Span;

    /// <summary>The gradient.</summary>
    public ReadOnlySpan<float> Grad => _tensor.Gradient.Span;

    /// <summary>The rule's names of its state buffers, in order.</summary>
    public IReadOnlyList<string> StateNames => _stateNames;

    /// <summary>The position of the state buffer <paramref name="name"/>, looked up once when a baseline is bound.</summary>
    /// <exception cref="ArgumentException">The rule has no state buffer of that name.</exception>
    public int StateIndex(string name)
    {
        for (int i = 0; i < _stateNames.Count; i++)
        {
            if (_stateNames[i] == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"The rule {_rule.Name} has no state buffer '{name}' (it has: {string.Join(", ", _stateNames)}).", nameof(name));
    }

    /// <summary>The state buffer at <paramref name="index"/> (see <see cref="StateIndex"/>).</summary>
    public Span<float> State(int index) => _tensor.State(index);

    /// <summary>Any array by its rule name: the parameter, the gradient or a state buffer (writable; for checks and the roofline).</summary>
    public Span<float> Array(string name)
    {
        if (name == _rule.ParameterName)
        {
            return Param;
        }

        if (name == _rule.GradientName)
        {
            return _tensor.Gradient.Span;
        }

        return State(StateIndex(name));
    }
}
