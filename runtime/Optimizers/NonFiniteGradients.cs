using System;

namespace KernelGen;

/// <summary>What <see cref="Optimizer.Step"/> does when a gradient holds an infinity or a NaN.</summary>
public enum NonFiniteGradientPolicy
{
    /// <summary>Step anyway (no check, no cost): the non-finite value flows into parameters and state.</summary>
    Ignore,
    /// <summary>Throw <see cref="NonFiniteGradientException"/> before anything is written.</summary>
    Throw,
    /// <summary>
    /// Skip the step, leaving every parameter, state and step count untouched (as torch's
    /// GradScaler skips <c>optimizer.step()</c>), and count it in <see cref="Optimizer.SkippedSteps"/>.
    /// </summary>
    Skip,
}

/// <summary>A gradient held an infinity or a NaN, or a value that is one once unscaled by <see cref="Optimizer.GradientScale"/>; the step changed nothing.</summary>
public sealed class NonFiniteGradientException : ArithmeticException
{
    /// <summary>Describes the first non-finite value found.</summary>
    public NonFiniteGradientException(int tensor, int element, float value)
        : this(tensor, element, value, value, group: -1)
    {
    }

    /// <summary>Describes the first value found that is not finite once multiplied by the gradient multiplier.</summary>
    internal NonFiniteGradientException(int tensor, int element, float value, float unscaled, int group)
        : base(Describe(tensor, element, value, unscaled, group))
    {
        Tensor = tensor;
        Element = element;
        Value = value;
    }

    /// <summary>
    /// The index of the tensor in <see cref="Optimizer.Tensors"/>, or, for a step of
    /// <see cref="ParameterGroups"/>, in the model: the groups' tensors numbered in order, as checkpoints number them.
    /// </summary>
    public int Tensor { get; }

    /// <summary>The element's index.</summary>
    public int Element { get; }

    /// <summary>The value found, as the gradient holds it (an infinity or a NaN, or a finite value whose unscaled value is not finite).</summary>
    public float Value { get; }

    private static string Describe(int tensor, int element, float value, float unscaled, int group)
    {
        string where = group < 0 ? $"tensor {tensor}" : $"tensor {tensor} (in group {group})";
        string what = float.IsFinite(value) ? $"{value}, which is {unscaled} once unscaled by the gradient scale," : value.ToString();
        return $"The gradient of {where} holds {what} at element {element}; the step changed nothing.";
    }
}

/// <summary>The first non-finite gradient value a step's check found (none when <see cref="Exists"/> is false).</summary>
internal readonly struct NonFiniteGradient
{
    private readonly float _multiplier;

    public NonFiniteGradient(int tensor, int element, float value, float multiplier)
    {
        Exists = true;
        Tensor = tensor;
        Element = element;
        Value = value;
        _multiplier = multiplier;
    }

    public bool Exists { get; }

    public int Tensor { get; }

    public int Element { get; }

    public float Value { get; }

    /// <summary>The exception for this value, its tensor numbered from <paramref name="tensorOffset"/> (the groups before it), <paramref name="group"/> -1 outside groups.</summary>
    public NonFiniteGradientException ToException(int tensorOffset, int group) =>
        new(tensorOffset + Tensor, Element, Value, Value * _multiplier, group);
}
