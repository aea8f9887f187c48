using System;
using System.Linq;
using System.Reflection;

namespace KernelGen.Disasm;

/// <summary>
/// Names the flag type arguments of a generated loop listing: the JIT prints
/// <c>Loop128[KernelGen.Internal.False,KernelGen.Internal.True]</c>; the generated method declares
/// <c>Loop128&lt;TMaximize, TAmsgrad&gt;</c>, so this reads <c>Loop128&lt;TMaximize=False, TAmsgrad=True&gt;</c>.
/// </summary>
public static class LoopFlags
{
    /// <summary>The generated loop's generic parameter names, or none when it has no such method.</summary>
    public static string[] ParameterNames(Type optimizerType, string loopMethod, int arity) =>
        optimizerType.GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == loopMethod && m.IsGenericMethodDefinition && m.GetGenericArguments().Length == arity)
            ?.GetGenericArguments().Select(a => a.Name).ToArray() ?? Array.Empty<string>();

    /// <summary>The flag values of a listing by name (<c>TAmsgrad</c> → <c>True</c>), in declaration order.</summary>
    public static (string Name, string Value)[] Of(Type optimizerType, JitListing listing)
    {
        string[] names = ParameterNames(optimizerType, listing.MethodName, listing.TypeArguments.Count);
        return listing.TypeArguments
            .Select((argument, i) => (i < names.Length ? names[i] : $"T{i}", ShortName(argument)))
            .ToArray();
    }

    /// <summary><c>Loop128&lt;TMaximize=False, TAmsgrad=True&gt;</c>.</summary>
    public static string Describe(Type optimizerType, JitListing listing) =>
        listing.TypeArguments.Count == 0
            ? listing.MethodName
            : $"{listing.MethodName}<{string.Join(", ", Of(optimizerType, listing).Select(f => $"{f.Name}={f.Value}"))}>";

    private static string ShortName(string typeName) => typeName[(typeName.LastIndexOf('.') + 1)..];
}
