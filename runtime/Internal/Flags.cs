using System.ComponentModel;

namespace KernelGen.Internal;

/// <summary>
/// A compile-time boolean. Generated loops take one type argument per uniform condition
/// (amsgrad, nesterov, ...): the JIT specializes each loop for the combination in use and drops
/// the branches that are not taken, which unswitches the condition out of the loop.
/// </summary>
/// <remarks>
/// On .NET the value is a static abstract member (<c>TFlag.Value</c>). .NET Standard 2.1 (Unity,
/// Mono) has no static abstract members: there it is an instance property read from
/// <c>default(TFlag).Value</c>, which a JIT still specializes per struct type argument.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFlag
{
    /// <summary>The constant value.</summary>
#if NET
    static abstract bool Value { get; }
#else
    bool Value { get; }
#endif
}

/// <summary>The flag that is set.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct True : IFlag
{
    /// <inheritdoc/>
#if NET
    public static bool Value => true;
#else
    public bool Value => true;
#endif
}

/// <summary>The flag that is clear.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct False : IFlag
{
    /// <inheritdoc/>
#if NET
    public static bool Value => false;
#else
    public bool Value => false;
#endif
}
