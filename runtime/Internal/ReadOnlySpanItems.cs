using System;
using System.Runtime.CompilerServices;
#if !NET
using System.Runtime.InteropServices;
#endif

namespace KernelGen.Internal;

/// <summary>
/// Reads a <see cref="ReadOnlySpan{T}"/>'s elements without its indexer on .NET Standard.
/// .NET Standard 2.1's reference assembly declares the indexer (and <c>GetPinnableReference</c> and
/// the enumerator's <c>Current</c>, so <c>foreach</c> too) as <c>ref readonly T</c> with a required
/// <c>InAttribute</c> modifier on the return; Mono's class library (Unity's) declares them without
/// it, so a call compiled against .NET Standard does not bind there (<c>MissingMethodException</c>).
/// <c>MemoryMarshal.GetReference</c> returns a plain reference and binds everywhere.
/// eng/check-mono.sh fails on any such call in the .NET Standard build.
/// </summary>
internal static class ReadOnlySpanItems
{
    /// <summary><c>span[index]</c>, with the indexer's bounds check and exception.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ItemAt<T>(this ReadOnlySpan<T> span, int index)
    {
#if NET
        return span[index];
#else
        if ((uint)index >= (uint)span.Length)
        {
            throw new IndexOutOfRangeException();
        }

        return Unsafe.Add(ref MemoryMarshal.GetReference(span), index);
#endif
    }
}
