namespace KernelGen;

/// <summary>The instruction-set path a kernel runs on.</summary>
public enum KernelPath
{
    /// <summary>The widest accelerated path this machine has (see <see cref="KernelDispatch.Best"/>).</summary>
    Auto = 0,
    /// <summary>512-bit vectors, 16 floats a step (AVX-512).</summary>
    Vector512,
    /// <summary>256-bit vectors, 8 floats a step (AVX2).</summary>
    Vector256,
    /// <summary>128-bit vectors, 4 floats a step (NEON on ARM64, SSE/AVX on x64).</summary>
    Vector128,
    /// <summary>One element at a time, no intrinsics.</summary>
    Scalar,
    /// <summary>
    /// <c>System.Numerics.Vector&lt;float&gt;</c>, as many floats a step as the runtime's vectors hold:
    /// the vector path of the .NET Standard 2.1 build (Unity, Mono), which has no
    /// <c>System.Runtime.Intrinsics</c>. The .NET builds do not have it.
    /// </summary>
    VectorT,
}
