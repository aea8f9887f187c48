using System.Collections.Generic;

namespace KernelGen.Conformance;

/// <summary>One constructor argument of a closure case: a number, or a string (torch's <c>line_search_fn</c>).</summary>
public sealed record ClosureHyperSetting(string Name, double Number, string? Text);

/// <summary>What the closure computes: <c>rosenbrock</c> (<see cref="A"/>, <see cref="B"/>) or <c>quadratic</c> (<see cref="D"/>, <see cref="C"/>).</summary>
public sealed record ClosureFunctionSpec(string Name, double A, double B, float[] D, float[] C);

/// <summary>The parts of a <c>kind: "closure"</c> case beyond <see cref="ConformanceCase"/>'s name, optimizer, steps, params and expected.</summary>
public sealed class ClosureCase
{
    /// <summary>The constructor arguments as written (<c>null</c> ones, meaning the default, left out).</summary>
    public required IReadOnlyList<ClosureHyperSetting> Hyper { get; init; }

    /// <summary>The function the closure evaluates.</summary>
    public required ClosureFunctionSpec Function { get; init; }

    /// <summary><c>Losses[s]</c>: what call <c>s</c> of <c>step(closure)</c> returned.</summary>
    public required double[] Losses { get; init; }

    /// <summary><c>FunctionEvaluations[s]</c>: torch's running count of closure calls after call <c>s</c>.</summary>
    public required long[] FunctionEvaluations { get; init; }
}
