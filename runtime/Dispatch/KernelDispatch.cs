using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
#if NET
using System.Runtime.Intrinsics;
#else
using System.Numerics;
#endif

namespace KernelGen;

/// <summary>
/// The dispatch ladder. On .NET: Vector512, then Vector256, then Vector128, then scalar; the
/// process-wide <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and
/// <c>DOTNET_EnableHWIntrinsic=0</c> settings narrow what is accelerated. On .NET Standard 2.1
/// (Unity, Mono): <see cref="KernelPath.VectorT"/> where <c>Vector&lt;float&gt;</c> is hardware
/// accelerated, else scalar. Every path gives the same bits, so the choice only changes speed;
/// <see cref="KernelPath"/> forces a path per call.
/// </summary>
public static class KernelDispatch
{
    /// <summary>The widest path whose vectors are hardware accelerated here.</summary>
    public static KernelPath Best { get; } =
#if NET
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512 :
        Vector256.IsHardwareAccelerated ? KernelPath.Vector256 :
        Vector128.IsHardwareAccelerated ? KernelPath.Vector128 :
        KernelPath.Scalar;
#else
        // Where Vector<T> is not accelerated (Mono's JIT) its operations are calls per lane,
        // slower than the scalar loop (docs/performance.md): scalar is the better path there.
        Vector.IsHardwareAccelerated ? KernelPath.VectorT : KernelPath.Scalar;
#endif

    /// <summary>
    /// Whether <paramref name="path"/> can run here. Scalar and Auto always can; on .NET Standard
    /// 2.1 so can <see cref="KernelPath.VectorT"/> (<c>Vector&lt;T&gt;</c> has a software form with
    /// the same bits where it is not accelerated), and no intrinsics path can.
    /// </summary>
    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Auto or KernelPath.Scalar => true,
#if NET
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
#else
        KernelPath.VectorT => true,
#endif
        _ => false,
    };

    /// <summary>
    /// The paths this build's kernels have, widest first, scalar last: what a test or a benchmark
    /// can force here with <see cref="Resolve"/>.
    /// </summary>
    public static System.Collections.Generic.IReadOnlyList<KernelPath> Supported { get; } = Array.FindAll(
        new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.VectorT, KernelPath.Scalar }, IsSupported);

    /// <summary>
    /// Turns <see cref="KernelPath.Auto"/> into <see cref="Best"/> and checks that a forced path
    /// can run here, so a forced path never silently runs another one.
    /// </summary>
    /// <exception cref="NotSupportedException">The forced path is not available on this machine or in this build.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KernelPath Resolve(KernelPath path)
    {
        if (path == KernelPath.Auto)
        {
            return Best;
        }

        if (!IsSupported(path))
        {
            ThrowNotSupported(path);
        }

        return path;
    }

    // Resolve runs on every step: the message is built out of line, only for a path this machine lacks.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotSupported(KernelPath path) =>
        throw new NotSupportedException($"The {path} path is not available here (best: {Best}).");
}
