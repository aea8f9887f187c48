using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>
/// The dispatch ladder: Vector512, then Vector256, then Vector128, then scalar. Every path gives
/// the same bits, so the choice only changes speed. The process-wide
/// <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and <c>DOTNET_EnableHWIntrinsic=0</c>
/// settings narrow what is accelerated; <see cref="KernelPath"/> forces a path per call.
/// </summary>
public static class KernelDispatch
{
    /// <summary>The widest path whose vectors are hardware accelerated here.</summary>
    public static KernelPath Best { get; } =
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512 :
        Vector256.IsHardwareAccelerated ? KernelPath.Vector256 :
        Vector128.IsHardwareAccelerated ? KernelPath.Vector128 :
        KernelPath.Scalar;

    /// <summary>Whether <paramref name="path"/> can run here. Scalar and Auto always can.</summary>
    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Auto or KernelPath.Scalar => true,
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>
    /// Turns <see cref="KernelPath.Auto"/> into <see cref="Best"/> and checks that a forced path
    /// is accelerated here, so a forced path never silently runs a software emulation.
    /// </summary>
    /// <exception cref="NotSupportedException">The forced path is not accelerated on this machine.</exception>
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
        throw new NotSupportedException($"The {path} path is not hardware accelerated on this machine (best: {Best}).");
}
