using System.Runtime.CompilerServices;

namespace KernelGen.Internal;

/// <summary>The method options of the step path, named once for every target framework.</summary>
internal static class StepMethod
{
    /// <summary>
    /// <c>MethodImplOptions.AggressiveOptimization</c> (512), which .NET Standard 2.1 does not name:
    /// compiled fully optimized at the first call, with no tier-0 code; a runtime without tiered
    /// compilation (Mono, IL2CPP) ignores it.
    /// </summary>
    public const MethodImplOptions OptimizedFromFirstCall = (MethodImplOptions)512;

    /// <summary>
    /// <see cref="OptimizedFromFirstCall"/> with <see cref="MethodImplOptions.AggressiveInlining"/>:
    /// for the small helpers every step calls, whose call would cost more than their body.
    /// </summary>
    public const MethodImplOptions InlinedAndOptimized = OptimizedFromFirstCall | MethodImplOptions.AggressiveInlining;
}
