using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace KernelGen.Internal;

/// <summary>
/// What the warm-ups share: the scratch length, and compiling the methods of the step path that are
/// marked <see cref="StepMethod.OptimizedFromFirstCall"/> (compiled once, fully optimized, at
/// their first call) before that call, so that no step waits for the JIT.
/// </summary>
internal static class WarmUp
{
    /// <summary>
    /// Scratch elements: 16 blocks of the widest vector loop's 64 elements (the pipelined loop's
    /// prologue, body and epilogue all run), then 63 for the one-vector loop and every rung of the tail.
    /// </summary>
    public const int ScratchLength = 16 * 64 + 63;

    private static readonly HashSet<Type> s_prepared = new();

    /// <summary>
    /// Compiles every non-generic method <paramref name="type"/> declares with
    /// <see cref="StepMethod.OptimizedFromFirstCall"/>, once per process. Nothing to do where
    /// code is compiled ahead of time (NativeAOT).
    /// </summary>
    public static void PrepareOptimized(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type type)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled)
        {
            return;
        }

        lock (s_prepared)
        {
            if (!s_prepared.Add(type))
            {
                return;
            }
        }

        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (MethodInfo method in type.GetMethods(declared))
        {
            if ((method.MethodImplementationFlags & (MethodImplAttributes)StepMethod.OptimizedFromFirstCall) != 0
                && !method.IsAbstract && !method.ContainsGenericParameters)
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }
        }
    }
}
