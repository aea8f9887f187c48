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

    // Not read-only, so that the JIT cannot fold the calls of CallMathFunctions into constants.
    private static double s_mathArgument = 0.5;
    private static double s_mathResult;

    /// <summary>
    /// Calls once each math function of the schedules and of clipping that the JIT does not turn
    /// into an instruction (cosines, powers, logarithms): the runtime binds such a function at its
    /// first call, which cost a schedule's first step about 12 µs with cold caches (docs/training.md),
    /// after its step was compiled. Changes nothing but a field of its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CallMathFunctions()
    {
        double x = s_mathArgument;
        float f = (float)x;
        s_mathResult = Math.Cos(x) + Math.Pow(x, x) + Math.Log(x) + Math.Floor(x) + MathF.Pow(f, f) + MathF.Log(f);
    }

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
