using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// One vector width for the roofline loop: the loop is written once over this interface and the
/// JIT compiles it per width (each implementation is a struct, so calls inline to the intrinsics).
/// </summary>
/// <typeparam name="TVector">The register type: <see cref="Vector512{T}"/> down to a plain float.</typeparam>
internal interface ILanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per register.</summary>
    static abstract nuint Count { get; }

    /// <summary>A register with every lane <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary>Loads <see cref="Count"/> floats at <paramref name="index"/> (no alignment required, as in the kernels).</summary>
    static abstract TVector Load(ref float source, nuint index);

    /// <summary>Stores <see cref="Count"/> floats at <paramref name="index"/>.</summary>
    static abstract void Store(TVector value, ref float destination, nuint index);

    /// <summary>x·a + g·b, two multiplies and an add (not fused): trivial next to the traffic.</summary>
    static abstract TVector Blend(TVector x, TVector a, TVector g, TVector b);

    /// <summary>sum + x·x, a reducing pass's step (not fused, as in the kernels).</summary>
    static abstract TVector AddSquare(TVector sum, TVector x);

    /// <summary>The sum of the lanes (the end of a reducing pass).</summary>
    static abstract float Sum(TVector value);
}

/// <summary>AVX-512: 16 floats.</summary>
internal readonly struct Lanes512 : ILanes<Vector512<float>>
{
    public static nuint Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Blend(Vector512<float> x, Vector512<float> a, Vector512<float> g, Vector512<float> b) => x * a + g * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AddSquare(Vector512<float> sum, Vector512<float> x) => sum + x * x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}

/// <summary>AVX2: 8 floats.</summary>
internal readonly struct Lanes256 : ILanes<Vector256<float>>
{
    public static nuint Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Blend(Vector256<float> x, Vector256<float> a, Vector256<float> g, Vector256<float> b) => x * a + g * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AddSquare(Vector256<float> sum, Vector256<float> x) => sum + x * x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}

/// <summary>SSE/NEON: 4 floats.</summary>
internal readonly struct Lanes128 : ILanes<Vector128<float>>
{
    public static nuint Count => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Blend(Vector128<float> x, Vector128<float> a, Vector128<float> g, Vector128<float> b) => x * a + g * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AddSquare(Vector128<float> sum, Vector128<float> x) => sum + x * x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);
}

/// <summary>One float at a time: the scalar path, and the tail of the others.</summary>
internal readonly struct LanesScalar : ILanes<float>
{
    public static nuint Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Blend(float x, float a, float g, float b) => x * a + g * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float AddSquare(float sum, float x) => sum + x * x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float value) => value;
}
