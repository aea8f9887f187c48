namespace KernelGen;

/// <summary>The line search of <see cref="LBFGS"/> (torch <c>line_search_fn</c>).</summary>
public enum LineSearchFunction
{
    /// <summary>A fixed step of the learning rate per iteration, then one closure call (torch <c>None</c>).</summary>
    None,

    /// <summary>torch's strong-Wolfe line search: bracketing, then zoom with cubic interpolation (torch <c>"strong_wolfe"</c>).</summary>
    StrongWolfe,
}
