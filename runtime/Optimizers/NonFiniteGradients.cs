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

/// <summary>A gradient held an infinity or a NaN; the step changed nothing.</summary>
public sealed class NonFiniteGradientException : ArithmeticException
{
    /// <summary>Describes the first non-finite value found.</summary>
    public NonFiniteGradientException(int tensor, int element, float value)
        : base($"The gradient of tensor {tensor} holds {value} at element {element}; the step changed nothing.")
    {
        Tensor = tensor;
        Element = element;
        Value = value;
    }

    /// <summary>The index of the tensor in <see cref="Optimizer.Tensors"/>.</summary>
    public int Tensor { get; }

    /// <summary>The element's index.</summary>
    public int Element { get; }

    /// <summary>The value found (an infinity or a NaN).</summary>
    public float Value { get; }
}
