using System.ComponentModel;
using System.Runtime.CompilerServices;
#if NET
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
#endif

namespace KernelGen.Internal;

/// <summary>Sizes the generated loops choose their shape by, measured on the machines in docs/performance.md.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KernelTuning
{
    /// <summary>
    /// The most bytes one call moves (elements times bytes per element) for which the generated
    /// loops software-pipeline their divisions and square roots. Below it the data sits in the
    /// caches and the divider is the limit; above it memory is, and the plain loop is faster.
    /// </summary>
    public const int PipelinedBytes = 32 << 20;

    /// <summary>
    /// The vector registers the JIT allocates on this machine: 32 with AVX-512 (EVEX encodes
    /// registers 16 to 31 for every vector width) and on ARM64, 16 on other x64 machines.
    /// </summary>
    internal static int VectorRegisters
    {
        // Inlined even where the caller's inlining budget is spent (a pipelined loop is large): folded to a constant.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET
        get => Avx512F.VL.IsSupported || AdvSimd.Arm64.IsSupported ? 32 : 16;
#else
        get => 16; // .NET Standard: no pipelined loops are generated (Vector<T> and scalar only)
#endif
    }

    /// <summary>
    /// Whether the generated vector loops software-pipeline a rule whose pipelined loop keeps
    /// <paramref name="vectorRegisters"/> vectors busy at once (the generator counts them). With
    /// 32 registers every pipeline measured faster than the plain loop, even Adan's and MADGRAD's
    /// that need more. With 16 (AVX2) one that does not fit spills carried values in every
    /// iteration and is slower than the plain loop (AdamW's needs 25: 1.1 to 1.4 times the plain
    /// loop's time on a Zen 3), while the plain loop already keeps the divider busy. Built from ISA
    /// checks and a constant: the JIT folds the call, and the loop it does not take is not compiled.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Pipelines(int vectorRegisters) => VectorRegisters >= 32 || vectorRegisters <= VectorRegisters;
}
