using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// A hand-written baseline bound to the arrays of one tensor: the parameter, the gradient and the
/// state buffers it names, looked up once at bind time. Per-tensor values the step carries
/// (a product of momentum factors, an averaging weight) live in the derived object.
/// </summary>
public abstract class Baseline
{
    private readonly TensorArrays _arrays;
    private readonly int[] _states;

    /// <summary>Binds to <paramref name="arrays"/>; <paramref name="stateNames"/> are the rule's names of the state buffers used, in the order <see cref="State"/> numbers them.</summary>
    protected Baseline(TensorArrays arrays, params string[] stateNames)
    {
        _arrays = arrays;
        _states = Array.ConvertAll(stateNames, arrays.StateIndex);
    }

    /// <summary>The number of elements.</summary>
    protected int Length => _arrays.Length;

    /// <summary>The parameter, updated in place.</summary>
    protected Span<float> Param => _arrays.Param;

    /// <summary>The gradient.</summary>
    protected ReadOnlySpan<float> Grad => _arrays.Grad;

    /// <summary>The <paramref name="index"/>-th state buffer named at construction.</summary>
    protected Span<float> State(int index) => _arrays.State(_states[index]);

    /// <summary>One step; <paramref name="step"/> is 1 on the first.</summary>
    public abstract void Step(int step);
}
