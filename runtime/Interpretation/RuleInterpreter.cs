using System;
using System.Globalization;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// The reference interpreter of update rules: evaluates a parsed <see cref="UpdateRule"/> one
/// element at a time, in <see cref="float"/> (bit for bit what the C# rule computes, and so what
/// the kernels must compute) or in <see cref="double"/> (to measure how far float drifts).
/// </summary>
public static class RuleInterpreter
{
    /// <summary>
    /// Runs the rule's body once per element, for elements 0 to n - 1 in order, in
    /// <typeparamref name="T"/>'s arithmetic.
    /// </summary>
    /// <typeparam name="T">
    /// <see cref="float"/>: every float operation is the C# float operation and every function the
    /// <see cref="MathF"/> one (<see cref="KernelMath.Sign(float)"/> for <c>sign</c>).
    /// <see cref="double"/>: every float value and operation is a double and every function the
    /// <see cref="Math"/> one; float literals are widened from their float value.
    /// Any other type throws <see cref="NotSupportedException"/>.
    /// </typeparam>
    /// <param name="rule">The rule.</param>
    /// <param name="parameter">The parameter, updated in place.</param>
    /// <param name="gradient">The gradient, as long as <paramref name="parameter"/>.</param>
    /// <param name="states">
    /// One buffer per <see cref="UpdateRule.StateNames"/>, in order, each as long as
    /// <paramref name="parameter"/>; updated in place.
    /// </param>
    /// <param name="tensorStates">
    /// One value per <see cref="UpdateRule.TensorStateNames"/>, in order. Every element starts
    /// from the values passed in (as the generated code passes each call a fresh copy); after the
    /// run they hold the values the last element computed. Left unchanged for an empty tensor.
    /// </param>
    /// <param name="hyperparameters">
    /// One value per <see cref="UpdateRule.Hyperparameters"/>, in order: floats converted to
    /// <typeparamref name="T"/> (<c>(float)value</c> in float), ints as integral values in the
    /// range of <see cref="int"/>, bools as 0 or 1.
    /// </param>
    /// <param name="step">The step count (1 on the first step).</param>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/>, <paramref name="states"/> or one of its buffers is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A length or count does not match the rule, or an int or bool hyper-parameter has a value
    /// its type cannot hold. Checked before anything is written.
    /// </exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="InvalidOperationException">The rule reads a local before assigning it.</exception>
    /// <exception cref="DivideByZeroException">An int division by zero, as in C#.</exception>
    public static void Run<T>(UpdateRule rule, Span<T> parameter, ReadOnlySpan<T> gradient, T[][] states, Span<T> tensorStates, ReadOnlySpan<double> hyperparameters, int step)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(states);
        if (!RuleMath.IsSupported<T>())
        {
            throw new NotSupportedException($"The rule interpreter runs in float or double, not {typeof(T).Name}.");
        }

        int n = parameter.Length;
        RuleLayout layout = rule.Layout;
        if (gradient.Length != n)
        {
            throw new ArgumentException($"The gradient has {gradient.Length} elements but the parameter has {n}.", nameof(gradient));
        }

        if (states.Length != layout.StateCount)
        {
            throw new ArgumentException($"The rule '{rule.Name}' has {layout.StateCount} state buffers but {states.Length} were passed.", nameof(states));
        }

        for (int k = 0; k < states.Length; k++)
        {
            if (states[k] is null)
            {
                throw new ArgumentNullException(nameof(states), $"The state buffer {k} ('{rule.StateNames[k]}') is null.");
            }

            if (states[k].Length != n)
            {
                throw new ArgumentException($"The state buffer {k} ('{rule.StateNames[k]}') has {states[k].Length} elements but the parameter has {n}.", nameof(states));
            }
        }

        if (tensorStates.Length != layout.TensorStateCount)
        {
            throw new ArgumentException($"The rule '{rule.Name}' has {layout.TensorStateCount} tensor states but {tensorStates.Length} were passed.", nameof(tensorStates));
        }

        if (hyperparameters.Length != rule.Hyperparameters.Count)
        {
            throw new ArgumentException($"The rule '{rule.Name}' has {rule.Hyperparameters.Count} hyper-parameters but {hyperparameters.Length} values were passed.", nameof(hyperparameters));
        }

        var frame = new Frame<T>(layout);
        for (int h = 0; h < hyperparameters.Length; h++)
        {
            RuleHyperparameter declared = rule.Hyperparameters[h];
            double value = hyperparameters.ItemAt(h);
            int slot = layout.HyperparameterSlots[h];
            switch (declared.Type)
            {
                case RuleValueType.Float:
                    frame.Floats[slot] = RuleMath.FromDouble<T>(value);
                    break;
                case RuleValueType.Int:
                    if (!(value >= int.MinValue && value <= int.MaxValue && Math.Floor(value) == value))
                    {
                        throw new ArgumentException($"The int hyper-parameter '{declared.Name}' has the value {value.ToString("R", CultureInfo.InvariantCulture)}, which is not an int.", nameof(hyperparameters));
                    }

                    frame.Ints[slot] = (int)value;
                    break;
                default:
                    if (value != 0d && value != 1d)
                    {
                        throw new ArgumentException($"The bool hyper-parameter '{declared.Name}' has the value {value.ToString("R", CultureInfo.InvariantCulture)}, but bools are passed as 0 or 1.", nameof(hyperparameters));
                    }

                    frame.Bools[slot] = value == 1d;
                    break;
            }
        }

        if (layout.StepSlot >= 0)
        {
            frame.Ints[layout.StepSlot] = step;
        }

        if (n == 0)
        {
            return;
        }

        T[] incoming = tensorStates.ToArray();
        if (layout.ReductionCount > 0)
        {
            ReduceFirst(rule, frame, parameter, gradient, states, incoming);
        }

        T[] floats = frame.Floats;
        int firstState = RuleLayout.FirstStateSlot;
        int firstTensorState = layout.FirstTensorStateSlot;
        Action<Frame<T>> body = rule.CompiledBody<T>();
        for (int i = 0; i < n; i++)
        {
            floats[RuleLayout.ParameterSlot] = parameter[i];
            floats[RuleLayout.GradientSlot] = gradient.ItemAt(i);
            for (int k = 0; k < states.Length; k++)
            {
                floats[firstState + k] = states[k][i];
            }

            incoming.CopyTo(floats, firstTensorState);

            body(frame);

            parameter[i] = floats[RuleLayout.ParameterSlot];
            for (int k = 0; k < states.Length; k++)
            {
                states[k][i] = floats[firstState + k];
            }
        }

        floats.AsSpan(firstTensorState, incoming.Length).CopyTo(tensorStates);
    }

    /// <summary>
    /// The reducing pass of a rule with per-tensor reductions: the body runs on every element,
    /// writing nothing, and each reduction's operand is summed (squared) in the canonical order the
    /// kernels use on every path: element i goes to lane i mod 16 for the elements of whole blocks
    /// of 16, the rest to a tail summed in order; the lanes combine in a fixed tree
    /// (<see cref="Internal.Reduction"/>), then the tail is added. A norm is the square root of that.
    /// </summary>
    private static void ReduceFirst<T>(UpdateRule rule, Frame<T> frame, ReadOnlySpan<T> parameter, ReadOnlySpan<T> gradient, T[][] states, T[] incoming)
        where T : struct
    {
        RuleLayout layout = rule.Layout;
        int n = parameter.Length, blocks = n / Internal.Reduction.Lanes * Internal.Reduction.Lanes;
        var lanes = new T[layout.ReductionCount][];
        var tails = new T[layout.ReductionCount];
        for (int r = 0; r < lanes.Length; r++)
        {
            lanes[r] = new T[Internal.Reduction.Lanes];
        }

        T[] floats = frame.Floats;
        Action<Frame<T>> body = rule.CompiledBody<T>();
        frame.Reducing = true;
        for (int i = 0; i < n; i++)
        {
            floats[RuleLayout.ParameterSlot] = parameter.ItemAt(i);
            floats[RuleLayout.GradientSlot] = gradient.ItemAt(i);
            for (int k = 0; k < states.Length; k++)
            {
                floats[RuleLayout.FirstStateSlot + k] = states[k][i];
            }

            incoming.CopyTo(floats, layout.FirstTensorStateSlot);
            body(frame);
            for (int r = 0; r < lanes.Length; r++)
            {
                T operand = frame.Reductions[r];
                if (i < blocks)
                {
                    lanes[r][i % Internal.Reduction.Lanes] = RuleMath.Add(lanes[r][i % Internal.Reduction.Lanes], RuleMath.Multiply(operand, operand));
                }
                else
                {
                    tails[r] = RuleMath.Add(tails[r], RuleMath.Multiply(operand, operand));
                }
            }
        }

        frame.Reducing = false;
        for (int r = 0; r < lanes.Length; r++)
        {
            T sum = Internal.Reduction.Combine<T>(lanes[r], tails[r]);
            frame.Reductions[r] = rule.ReductionIsNorm(r) ? RuleMath.Sqrt(sum) : sum;
        }
    }
}
