using System;
using System.Collections.Generic;

namespace KernelGen;

/// <summary>The type of a value in an update rule's IR: a hyper-parameter, a local or an expression.</summary>
public enum RuleValueType
{
    /// <summary>A <see cref="float"/> (a <see cref="double"/> when the interpreter runs in double).</summary>
    Float,

    /// <summary>An <see cref="int"/>, with C#'s unchecked arithmetic.</summary>
    Int,

    /// <summary>A <see cref="bool"/>.</summary>
    Bool,
}

/// <summary>A hyper-parameter of an update rule: uniform over the tensor and read-only.</summary>
/// <param name="Name">The name the rule reads it by.</param>
/// <param name="Type">Its type.</param>
public sealed record RuleHyperparameter(string Name, RuleValueType Type);

/// <summary>
/// An update rule parsed from the S-expression IR the generator emits for it (see docs/ir.md),
/// with every name resolved, every expression type-checked, and ready for <see cref="RuleInterpreter"/>.
/// </summary>
/// <remarks>
/// A read of a local that C#'s definite-assignment rules could leave unassigned is not rejected
/// here (the generator only emits rules that compile); it is checked when the rule runs and
/// throws <see cref="InvalidOperationException"/> if the local really is unassigned.
/// </remarks>
public sealed class UpdateRule
{
    internal UpdateRule(
        string text,
        string name,
        string parameterName,
        string gradientName,
        string[] stateNames,
        string[] tensorStateNames,
        RuleHyperparameter[] hyperparameters,
        string? stepName,
        RuleLayout layout,
        Stmt[] body)
    {
        Text = text;
        Name = name;
        ParameterName = parameterName;
        GradientName = gradientName;
        StateNames = Array.AsReadOnly(stateNames);
        TensorStateNames = Array.AsReadOnly(tensorStateNames);
        Hyperparameters = Array.AsReadOnly(hyperparameters);
        StepName = stepName;
        Layout = layout;
        Body = body;
    }

    /// <summary>The rule's name.</summary>
    public string Name { get; }

    /// <summary>The name of the parameter (per element, read-write).</summary>
    public string ParameterName { get; }

    /// <summary>The name of the gradient (per element, read-only).</summary>
    public string GradientName { get; }

    /// <summary>The per-element state buffers, in declaration order.</summary>
    public IReadOnlyList<string> StateNames { get; }

    /// <summary>The per-tensor (uniform) state values, in declaration order.</summary>
    public IReadOnlyList<string> TensorStateNames { get; }

    /// <summary>The hyper-parameters, in declaration order.</summary>
    public IReadOnlyList<RuleHyperparameter> Hyperparameters { get; }

    /// <summary>The name of the step count, or <see langword="null"/> when the rule declares none.</summary>
    public string? StepName { get; }

    /// <summary>The IR text this rule was parsed from.</summary>
    public string Text { get; }

    /// <summary>Where each value lives in an evaluation frame.</summary>
    internal RuleLayout Layout { get; }

    /// <summary>The statements of the body, names resolved to slots.</summary>
    internal Stmt[] Body { get; }

    // The body compiled for float and for double, on first use. A race compiles twice, harmlessly.
    private object? _floatBody;
    private object? _doubleBody;

    /// <summary>The number of per-tensor reductions (<c>sumsq</c>, <c>norm</c>) the rule computes before its update.</summary>
    public int ReductionCount => Layout.ReductionCount;

    internal bool ReductionIsNorm(int index) => Layout.ReductionIsNorm[index];

    /// <summary>The body compiled for <typeparamref name="T"/> (float or double), compiled once and cached.</summary>
    internal Action<Frame<T>> CompiledBody<T>()
        where T : struct
    {
        if (typeof(T) == typeof(float))
        {
            return (Action<Frame<T>>)(_floatBody ??= Stmt.CompileAll<T>(Body));
        }

        if (typeof(T) == typeof(double))
        {
            return (Action<Frame<T>>)(_doubleBody ??= Stmt.CompileAll<T>(Body));
        }

        return Stmt.CompileAll<T>(Body);
    }

    /// <summary>Parses a rule from its IR.</summary>
    /// <param name="ir">The IR text, as docs/ir.md describes it.</param>
    /// <returns>The parsed rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ir"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">
    /// The IR is malformed (the message gives the line, column and offset, and what was expected),
    /// names something undeclared, mixes types, calls an unknown function, has the wrong number of
    /// operands, or assigns the gradient, a hyper-parameter or the step.
    /// </exception>
    public static UpdateRule Parse(string ir)
    {
        ArgumentNullException.ThrowIfNull(ir);
        return new RuleIrReader(ir).ReadRule();
    }

    /// <summary>The rule's name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;
}

/// <summary>
/// The slots of an evaluation frame. Float slots: the parameter (0), the gradient (1), the states,
/// the tensor states, the float hyper-parameters, then float locals. Int slots: the step (if any),
/// int hyper-parameters, int locals. Bool slots: bool hyper-parameters, bool locals.
/// </summary>
internal sealed class RuleLayout
{
    public const int ParameterSlot = 0;
    public const int GradientSlot = 1;
    public const int FirstStateSlot = 2;

    public int StateCount { get; init; }
    public int TensorStateCount { get; init; }
    public int FirstTensorStateSlot => FirstStateSlot + StateCount;

    /// <summary>Per hyper-parameter, in rule order: its slot in the frame array of its type.</summary>
    public int[] HyperparameterSlots { get; init; } = Array.Empty<int>();

    /// <summary>The step's int slot, or -1.</summary>
    public int StepSlot { get; init; } = -1;

    public int FloatSlotCount { get; init; }
    public int IntSlotCount { get; init; }
    public int BoolSlotCount { get; init; }
    public int LocalCount { get; init; }

    /// <summary>Per reduction call, numbered in order of appearance: true for <c>norm</c>, false for <c>sumsq</c>.</summary>
    public bool[] ReductionIsNorm { get; init; } = Array.Empty<bool>();

    /// <summary>The number of reduction calls.</summary>
    public int ReductionCount => ReductionIsNorm.Length;
}
