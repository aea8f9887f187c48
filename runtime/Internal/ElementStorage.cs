#if NET
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Internal;

/// <summary>
/// How a generated loop reads and writes one buffer of a tensor whose buffers are not all float32:
/// the element type as a type argument (<see cref="Float32Storage"/>, <see cref="BFloat16Storage"/>,
/// <see cref="Float16Storage"/>), so the JIT compiles each combination with its conversions inline.
/// Loads widen exactly into float32 lanes; stores round to nearest, ties to even, with the bits of
/// the staged conversions (one definition: <c>StorageConversion</c>) on every path.
/// </summary>
/// <remarks>
/// <c>buffer</c> in every member is the buffer's first byte and <c>index</c> counts
/// elements of the storage type. .NET only: .NET Standard 2.1 has no static abstract members, and
/// stages 16-bit tensors through float32 blocks instead.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IElementStorage
{
    /// <summary>Element <paramref name="index"/>, widened.</summary>
    static abstract float Load(ref byte buffer, nuint index);

    /// <summary>Writes <paramref name="value"/>, rounded, to element <paramref name="index"/>.</summary>
    static abstract void Store(float value, ref byte buffer, nuint index);

    /// <summary>4 elements from <paramref name="index"/> on, widened.</summary>
    static abstract Vector128<float> Load128(ref byte buffer, nuint index);

    /// <summary>Writes 4 values, rounded, from element <paramref name="index"/> on.</summary>
    static abstract void Store128(Vector128<float> value, ref byte buffer, nuint index);

    /// <summary>8 elements from <paramref name="index"/> on, widened.</summary>
    static abstract Vector256<float> Load256(ref byte buffer, nuint index);

    /// <summary>Writes 8 values, rounded, from element <paramref name="index"/> on.</summary>
    static abstract void Store256(Vector256<float> value, ref byte buffer, nuint index);

    /// <summary>16 elements from <paramref name="index"/> on, widened.</summary>
    static abstract Vector512<float> Load512(ref byte buffer, nuint index);

    /// <summary>Writes 16 values, rounded, from element <paramref name="index"/> on.</summary>
    static abstract void Store512(Vector512<float> value, ref byte buffer, nuint index);

    /// <summary>
    /// Whether two elements fill one 32-bit word (the 16-bit types). A loop whose buffers all do
    /// takes its elements in pairs of vectors (<c>LoadPair</c>, <c>StorePair</c>): each word then
    /// widens into its two lanes with a shift or a mask, and two rounded lanes go back into one word
    /// with a shift, a mask and an or, where vector by vector takes a shuffle each way.
    /// </summary>
    static abstract bool PairsInWords { get; }

    /// <summary>
    /// 8 elements from <paramref name="index"/> on, widened, as two vectors: <paramref name="even"/>
    /// holds elements index, index + 2, ..., <paramref name="odd"/> index + 1, index + 3, ...
    /// </summary>
    static abstract void LoadPair128(ref byte buffer, nuint index, out Vector128<float> even, out Vector128<float> odd);

    /// <summary>Writes 8 values, rounded, from element <paramref name="index"/> on: <paramref name="even"/> and <paramref name="odd"/> as <see cref="LoadPair128"/> gives them.</summary>
    static abstract void StorePair128(Vector128<float> even, Vector128<float> odd, ref byte buffer, nuint index);

    /// <summary>16 elements from <paramref name="index"/> on, widened, as even and odd elements (as <see cref="LoadPair128"/>).</summary>
    static abstract void LoadPair256(ref byte buffer, nuint index, out Vector256<float> even, out Vector256<float> odd);

    /// <summary>Writes 16 values, rounded, from element <paramref name="index"/> on, given as even and odd elements.</summary>
    static abstract void StorePair256(Vector256<float> even, Vector256<float> odd, ref byte buffer, nuint index);

    /// <summary>32 elements from <paramref name="index"/> on, widened, as even and odd elements (as <see cref="LoadPair128"/>).</summary>
    static abstract void LoadPair512(ref byte buffer, nuint index, out Vector512<float> even, out Vector512<float> odd);

    /// <summary>Writes 32 values, rounded, from element <paramref name="index"/> on, given as even and odd elements.</summary>
    static abstract void StorePair512(Vector512<float> even, Vector512<float> odd, ref byte buffer, nuint index);
}

/// <summary>float32 elements: plain loads and stores, what the float32 loops do.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Float32Storage : IElementStorage
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref byte buffer, nuint index) => Unsafe.Add(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref byte buffer, nuint index) => Unsafe.Add(ref Floats(ref buffer), index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref byte buffer, nuint index) => Vector128.LoadUnsafe(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store128(Vector128<float> value, ref byte buffer, nuint index) => value.StoreUnsafe(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref byte buffer, nuint index) => Vector256.LoadUnsafe(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store256(Vector256<float> value, ref byte buffer, nuint index) => value.StoreUnsafe(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref byte buffer, nuint index) => Vector512.LoadUnsafe(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512(Vector512<float> value, ref byte buffer, nuint index) => value.StoreUnsafe(ref Floats(ref buffer), index);

    /// <inheritdoc/>
    public static bool PairsInWords => false;

    /// <inheritdoc/>
    /// <remarks>Shuffles the elements apart: correct, but no loop takes float32 buffers in pairs.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair128(ref byte buffer, nuint index, out Vector128<float> even, out Vector128<float> odd)
    {
        Vector128<int> evenFirst = Vector128.Create(0, 2, 1, 3);
        Vector128<float> first = Vector128.Shuffle(Load128(ref buffer, index), evenFirst);
        Vector128<float> second = Vector128.Shuffle(Load128(ref buffer, index + 4), evenFirst);
        even = Vector128.Create(first.GetLower(), second.GetLower());
        odd = Vector128.Create(first.GetUpper(), second.GetUpper());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair128(Vector128<float> even, Vector128<float> odd, ref byte buffer, nuint index)
    {
        Vector128<int> interleave = Vector128.Create(0, 2, 1, 3);
        Store128(Vector128.Shuffle(Vector128.Create(even.GetLower(), odd.GetLower()), interleave), ref buffer, index);
        Store128(Vector128.Shuffle(Vector128.Create(even.GetUpper(), odd.GetUpper()), interleave), ref buffer, index + 4);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair256(ref byte buffer, nuint index, out Vector256<float> even, out Vector256<float> odd)
    {
        Vector256<int> evenFirst = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        Vector256<float> first = Vector256.Shuffle(Load256(ref buffer, index), evenFirst);
        Vector256<float> second = Vector256.Shuffle(Load256(ref buffer, index + 8), evenFirst);
        even = Vector256.Create(first.GetLower(), second.GetLower());
        odd = Vector256.Create(first.GetUpper(), second.GetUpper());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair256(Vector256<float> even, Vector256<float> odd, ref byte buffer, nuint index)
    {
        Vector256<int> interleave = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        Store256(Vector256.Shuffle(Vector256.Create(even.GetLower(), odd.GetLower()), interleave), ref buffer, index);
        Store256(Vector256.Shuffle(Vector256.Create(even.GetUpper(), odd.GetUpper()), interleave), ref buffer, index + 8);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair512(ref byte buffer, nuint index, out Vector512<float> even, out Vector512<float> odd) =>
        StoredBits.LoadPair512<Float32Storage>(ref buffer, index, out even, out odd);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair512(Vector512<float> even, Vector512<float> odd, ref byte buffer, nuint index) =>
        StoredBits.StorePair512<Float32Storage>(even, odd, ref buffer, index);

    private static ref float Floats(ref byte buffer) => ref Unsafe.As<byte, float>(ref buffer);
}

/// <summary>bfloat16 elements: a widening shift in, the integer nearest-even rounding out.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct BFloat16Storage : IElementStorage
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref byte buffer, nuint index) => StorageConversion.WidenBFloat16(Unsafe.Add(ref Bits(ref buffer), index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref byte buffer, nuint index) => Unsafe.Add(ref Bits(ref buffer), index) = StorageConversion.NarrowBFloat16(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref byte buffer, nuint index) => (StoredBits.Load4(ref Bits(ref buffer), index) << 16).AsSingle();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store128(Vector128<float> value, ref byte buffer, nuint index) =>
        StoredBits.Store4(StorageConversion.NarrowBFloat16(value.AsUInt32()), ref Bits(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref byte buffer, nuint index) => (StoredBits.Load8(ref Bits(ref buffer), index) << 16).AsSingle();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store256(Vector256<float> value, ref byte buffer, nuint index) =>
        StoredBits.Store8(StorageConversion.NarrowBFloat16(value.AsUInt32()), ref Bits(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref byte buffer, nuint index) => StoredBits.Load512<BFloat16Storage>(ref buffer, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512(Vector512<float> value, ref byte buffer, nuint index) => StoredBits.Store512<BFloat16Storage>(value, ref buffer, index);

    /// <inheritdoc/>
    public static bool PairsInWords => true;

    /// <inheritdoc/>
    /// <remarks>A word's first element is its lower half (little-endian): shifted up it is a float, and the second is the word with its lower half cleared.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair128(ref byte buffer, nuint index, out Vector128<float> even, out Vector128<float> odd)
    {
        Vector128<uint> words = Vector128.LoadUnsafe(ref StoredBits.Words(ref buffer, index));
        even = (words << 16).AsSingle();
        odd = (words & Vector128.Create(StoredBits.UpperHalf)).AsSingle();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair128(Vector128<float> even, Vector128<float> odd, ref byte buffer, nuint index) =>
        ((StorageConversion.RoundBFloat16High(even.AsUInt32()) >> 16) | (StorageConversion.RoundBFloat16High(odd.AsUInt32()) & Vector128.Create(StoredBits.UpperHalf)))
            .StoreUnsafe(ref StoredBits.Words(ref buffer, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair256(ref byte buffer, nuint index, out Vector256<float> even, out Vector256<float> odd)
    {
        Vector256<uint> words = Vector256.LoadUnsafe(ref StoredBits.Words(ref buffer, index));
        even = (words << 16).AsSingle();
        odd = (words & Vector256.Create(StoredBits.UpperHalf)).AsSingle();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair256(Vector256<float> even, Vector256<float> odd, ref byte buffer, nuint index) =>
        ((StorageConversion.RoundBFloat16High(even.AsUInt32()) >> 16) | (StorageConversion.RoundBFloat16High(odd.AsUInt32()) & Vector256.Create(StoredBits.UpperHalf)))
            .StoreUnsafe(ref StoredBits.Words(ref buffer, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair512(ref byte buffer, nuint index, out Vector512<float> even, out Vector512<float> odd) =>
        StoredBits.LoadPair512<BFloat16Storage>(ref buffer, index, out even, out odd);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair512(Vector512<float> even, Vector512<float> odd, ref byte buffer, nuint index) =>
        StoredBits.StorePair512<BFloat16Storage>(even, odd, ref buffer, index);

    private static ref ushort Bits(ref byte buffer) => ref Unsafe.As<byte, ushort>(ref buffer);
}

/// <summary>
/// IEEE half elements: .NET exposes no vector half conversion, so the exact integer forms of
/// <c>StorageConversion</c> on every path.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Float16Storage : IElementStorage
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref byte buffer, nuint index) => StorageConversion.WidenHalf(Unsafe.Add(ref Bits(ref buffer), index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref byte buffer, nuint index) => Unsafe.Add(ref Bits(ref buffer), index) = StorageConversion.NarrowHalf(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref byte buffer, nuint index) => StorageConversion.WidenHalf(StoredBits.Load4(ref Bits(ref buffer), index)).AsSingle();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store128(Vector128<float> value, ref byte buffer, nuint index) =>
        StoredBits.Store4(StorageConversion.NarrowHalf(value.AsUInt32()), ref Bits(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref byte buffer, nuint index) => StorageConversion.WidenHalf(StoredBits.Load8(ref Bits(ref buffer), index)).AsSingle();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store256(Vector256<float> value, ref byte buffer, nuint index) =>
        StoredBits.Store8(StorageConversion.NarrowHalf(value.AsUInt32()), ref Bits(ref buffer), index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref byte buffer, nuint index) => StoredBits.Load512<Float16Storage>(ref buffer, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512(Vector512<float> value, ref byte buffer, nuint index) => StoredBits.Store512<Float16Storage>(value, ref buffer, index);

    /// <inheritdoc/>
    public static bool PairsInWords => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair128(ref byte buffer, nuint index, out Vector128<float> even, out Vector128<float> odd)
    {
        Vector128<uint> words = Vector128.LoadUnsafe(ref StoredBits.Words(ref buffer, index));
        even = StorageConversion.WidenHalf(words & Vector128.Create(StoredBits.LowerHalf)).AsSingle();
        odd = StorageConversion.WidenHalf(words >> 16).AsSingle();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair128(Vector128<float> even, Vector128<float> odd, ref byte buffer, nuint index) =>
        (StorageConversion.NarrowHalf(even.AsUInt32()) | (StorageConversion.NarrowHalf(odd.AsUInt32()) << 16)).StoreUnsafe(ref StoredBits.Words(ref buffer, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair256(ref byte buffer, nuint index, out Vector256<float> even, out Vector256<float> odd)
    {
        Vector256<uint> words = Vector256.LoadUnsafe(ref StoredBits.Words(ref buffer, index));
        even = StorageConversion.WidenHalf(words & Vector256.Create(StoredBits.LowerHalf)).AsSingle();
        odd = StorageConversion.WidenHalf(words >> 16).AsSingle();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair256(Vector256<float> even, Vector256<float> odd, ref byte buffer, nuint index) =>
        (StorageConversion.NarrowHalf(even.AsUInt32()) | (StorageConversion.NarrowHalf(odd.AsUInt32()) << 16)).StoreUnsafe(ref StoredBits.Words(ref buffer, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair512(ref byte buffer, nuint index, out Vector512<float> even, out Vector512<float> odd) =>
        StoredBits.LoadPair512<Float16Storage>(ref buffer, index, out even, out odd);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair512(Vector512<float> even, Vector512<float> odd, ref byte buffer, nuint index) =>
        StoredBits.StorePair512<Float16Storage>(even, odd, ref buffer, index);

    private static ref ushort Bits(ref byte buffer) => ref Unsafe.As<byte, ushort>(ref buffer);
}

/// <summary>A tensor's buffers as bytes, in their storage types, for the generated stored loops.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class StoredBuffers
{
    /// <summary>The parameter's bytes.</summary>
    public static System.Span<byte> Parameter(ParameterTensor tensor) => tensor.ParameterMemory.Bytes;

    /// <summary>The gradient's bytes.</summary>
    public static System.Span<byte> Gradient(ParameterTensor tensor) => tensor.GradientMemory.Bytes;

    /// <summary>State buffer <paramref name="index"/>'s bytes.</summary>
    public static System.Span<byte> State(ParameterTensor tensor, int index) => tensor.StateBuffer(index).Bytes;
}

/// <summary>16-bit patterns moved between memory and 32-bit lanes (the pattern in each lane's low half).</summary>
internal static class StoredBits
{
    /// <summary>16 elements as two halves of 8: the conversions have Vector256 forms, which give the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512<TStorage>(ref byte buffer, nuint index)
        where TStorage : IElementStorage =>
        Vector512.Create(TStorage.Load256(ref buffer, index), TStorage.Load256(ref buffer, index + 8));

    /// <summary>16 values stored as two halves of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store512<TStorage>(Vector512<float> value, ref byte buffer, nuint index)
        where TStorage : IElementStorage
    {
        TStorage.Store256(value.GetLower(), ref buffer, index);
        TStorage.Store256(value.GetUpper(), ref buffer, index + 8);
    }

    /// <summary>32 elements as two pairs of 16: even elements 0, 2, ..., 30 are the first pair's even ones, then the second's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPair512<TStorage>(ref byte buffer, nuint index, out Vector512<float> even, out Vector512<float> odd)
        where TStorage : IElementStorage
    {
        TStorage.LoadPair256(ref buffer, index, out Vector256<float> lowerEven, out Vector256<float> lowerOdd);
        TStorage.LoadPair256(ref buffer, index + 16, out Vector256<float> upperEven, out Vector256<float> upperOdd);
        even = Vector512.Create(lowerEven, upperEven);
        odd = Vector512.Create(lowerOdd, upperOdd);
    }

    /// <summary>32 values stored as two pairs of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePair512<TStorage>(Vector512<float> even, Vector512<float> odd, ref byte buffer, nuint index)
        where TStorage : IElementStorage
    {
        TStorage.StorePair256(even.GetLower(), odd.GetLower(), ref buffer, index);
        TStorage.StorePair256(even.GetUpper(), odd.GetUpper(), ref buffer, index + 16);
    }

    /// <summary>The bits of a word's second element (its upper half).</summary>
    public const uint UpperHalf = 0xFFFF_0000u;

    /// <summary>The bits of a word's first element (its lower half).</summary>
    public const uint LowerHalf = 0x0000_FFFFu;

    /// <summary>The 32-bit word that holds 16-bit elements <paramref name="index"/> and <paramref name="index"/> + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref uint Words(ref byte buffer, nuint index) => ref Unsafe.As<byte, uint>(ref Unsafe.Add(ref buffer, index * sizeof(ushort)));

    /// <summary>4 patterns from <paramref name="index"/> on, zero-extended into 32-bit lanes (one 8-byte load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Load4(ref ushort bits, nuint index) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref bits, index)))).AsUInt16());

    /// <summary>8 patterns from <paramref name="index"/> on, zero-extended into 32-bit lanes (one 16-byte load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Load8(ref ushort bits, nuint index) => Vector256.WidenLower(Vector128.LoadUnsafe(ref bits, index).ToVector256Unsafe());

    /// <summary>The low halves of 4 lanes, to <paramref name="index"/> on (one 8-byte store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store4(Vector128<uint> lanes, ref ushort bits, nuint index) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref bits, index)), Pack(lanes, lanes).AsUInt64().ToScalar());

    /// <summary>The low halves of 8 lanes, to <paramref name="index"/> on (one 16-byte store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store8(Vector256<uint> lanes, ref ushort bits, nuint index) => Pack(lanes.GetLower(), lanes.GetUpper()).StoreUnsafe(ref bits, index);

    /// <summary>
    /// Lanes that hold 16-bit patterns, packed: SSE4.1's saturating pack is one instruction, and
    /// saturation changes no pattern below 2^16; elsewhere the truncating narrow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Pack(Vector128<uint> lower, Vector128<uint> upper) => Sse41.IsSupported
        ? Sse41.PackUnsignedSaturate(lower.AsInt32(), upper.AsInt32())
        : Vector128.Narrow(lower, upper);
}
#endif
