using System.ComponentModel;

namespace KernelGen.Internal;

/// <summary>
/// A compile-time boolean. Generated loops take one type argument per uniform condition
/// (amsgrad, nesterov, ...): the JIT specializes each loop for the combination in use and drops
/// the branches that are not taken, which unswitches the condition out of the loop.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFlag
{
    /// <summary>The constant value.</summary>
    static abstract bool Value { get; }
}

/// <summary>The flag that is set.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct True : IFlag
{
    /// <inheritdoc/>
    public static bool Value => true;
}

/// <summary>The flag that is clear.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct False : IFlag
{
    /// <inheritdoc/>
    public static bool Value => false;
}
