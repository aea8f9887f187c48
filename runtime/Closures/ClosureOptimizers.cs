using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace KernelGen;

/// <summary>
/// The built-in optimizers that step with a closure (re-evaluating the loss and gradients
/// inside a step), by their reference class names, created with the reference's defaults.
/// </summary>
public static class ClosureOptimizers
{
    private static readonly Dictionary<string, Func<LBFGS>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LBFGS"] = static () => new LBFGS(),
    };

    /// <summary>The names <see cref="TryCreate"/> knows.</summary>
    public static IEnumerable<string> Names => Factories.Keys;

    /// <summary>Creates a closure optimizer by its reference name (case-insensitive), e.g. <c>LBFGS</c>.</summary>
    public static bool TryCreate(string name, [NotNullWhen(true)] out LBFGS? optimizer)
    {
        optimizer = Factories.TryGetValue(name, out Func<LBFGS>? factory) ? factory() : null;
        return optimizer is not null;
    }
}
