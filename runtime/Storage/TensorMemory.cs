using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET
using HalfElement = System.Half;
#else
// .NET Standard has no System.Half: Float16 storage is refused there (RequireHalf), so these buffers stay empty.
using HalfElement = System.UInt16;
#endif

namespace KernelGen;

/// <summary>One buffer of a tensor (parameter, gradient or state) in its storage type.</summary>
internal readonly struct TensorMemory
{
    private readonly Memory<float> _single;
    private readonly Memory<HalfElement> _half;
    private readonly Memory<BFloat16> _bfloat16;

    private TensorMemory(StateStorage type, Memory<float> single, Memory<HalfElement> half, Memory<BFloat16> bfloat16)
    {
        Type = type;
        _single = single;
        _half = half;
        _bfloat16 = bfloat16;
    }

    public StateStorage Type { get; }

    public bool IsSingle => Type == StateStorage.Float32;

    public int Length => Type switch
    {
        StateStorage.Float16 => _half.Length,
        StateStorage.BFloat16 => _bfloat16.Length,
        _ => _single.Length,
    };

    /// <summary>The float32 memory (only for <see cref="StateStorage.Float32"/>).</summary>
    public Memory<float> Single => _single;

    /// <summary>The bit patterns of a 16-bit buffer.</summary>
    public Span<ushort> Bits => Type == StateStorage.Float16
        ? MemoryMarshal.Cast<HalfElement, ushort>(_half.Span)
        : MemoryMarshal.Cast<BFloat16, ushort>(_bfloat16.Span);

    /// <summary>The bytes, whatever the type (for overlap checks).</summary>
    public Span<byte> Bytes => Type switch
    {
        StateStorage.Float16 => MemoryMarshal.AsBytes(_half.Span),
        StateStorage.BFloat16 => MemoryMarshal.AsBytes(_bfloat16.Span),
        _ => MemoryMarshal.AsBytes(_single.Span),
    };

    /// <summary>Names the parameter in <see cref="As{T}(int, int)"/> and <see cref="RequireSingle"/>.</summary>
    public const int ParameterBuffer = -1;

    /// <summary>Names the gradient in <see cref="As{T}(int, int)"/> and <see cref="RequireSingle"/>.</summary>
    public const int GradientBuffer = -2;

    /// <summary>
    /// The memory as the caller typed it. <paramref name="tensor"/> and <paramref name="buffer"/>
    /// (a state index, <see cref="ParameterBuffer"/> or <see cref="GradientBuffer"/>) name it in the
    /// error; the message is built only when thrown, so a step allocates nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the storage type.</exception>
    public Memory<T> As<T>(int tensor, int buffer)
    {
        if (TypeOf<T>() != Type)
        {
            throw new InvalidOperationException($"{Owner(tensor, buffer)} is stored as {Name(Type)}, not {typeof(T).Name}.");
        }

        return Type switch
        {
            StateStorage.Float16 => Reinterpret<HalfElement, T>(_half),
            StateStorage.BFloat16 => Reinterpret<BFloat16, T>(_bfloat16),
            _ => Reinterpret<float, T>(_single),
        };
    }

    /// <summary>The float32 memory, or an error that names the storage type and the typed accessor.</summary>
    /// <exception cref="InvalidOperationException">The buffer is stored in a 16-bit type.</exception>
    // Every step reads its float32 buffers through this check: the comparison inlined, the message built out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Memory<float> RequireSingle(int tensor, int buffer)
    {
        if (!IsSingle)
        {
            ThrowNotSingle(tensor, buffer);
        }

        return _single;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotSingle(int tensor, int buffer)
    {
        string accessor = buffer switch { ParameterBuffer => "StoredParameter", GradientBuffer => "StoredGradient", _ => "StoredState" };
        throw new InvalidOperationException(
            $"{Owner(tensor, buffer)} is stored as {Name(Type)}, not float: read it with {accessor}<{Name(Type)}>() (this operation works on float32 tensors only).");
    }

    private static string Owner(int tensor, int buffer) => buffer switch
    {
        ParameterBuffer => $"Tensor {tensor}'s parameter",
        GradientBuffer => $"Tensor {tensor}'s gradient",
        _ => $"Tensor {tensor}'s state buffer {buffer}",
    };

    public TensorMemory Slice(int start, int length) =>
        new(Type, IsSingle ? _single.Slice(start, length) : default, Type == StateStorage.Float16 ? _half.Slice(start, length) : default, Type == StateStorage.BFloat16 ? _bfloat16.Slice(start, length) : default);

    public static TensorMemory Of(Memory<float> memory) => new(StateStorage.Float32, memory, default, default);

    /// <summary>Wraps memory of float, <c>System.Half</c> or <see cref="BFloat16"/>.</summary>
    /// <exception cref="NotSupportedException">Another element type.</exception>
    public static TensorMemory Of<T>(Memory<T> memory, string parameterName) => TypeOf<T>() switch
    {
        StateStorage.Float16 => new(StateStorage.Float16, default, Reinterpret<T, HalfElement>(memory), default),
        StateStorage.BFloat16 => new(StateStorage.BFloat16, default, default, Reinterpret<T, BFloat16>(memory)),
        StateStorage.Float32 => Of(Reinterpret<T, float>(memory)),
        _ => throw new NotSupportedException(
            $"'{parameterName}' holds {typeof(T).Name}: a tensor is stored as float, System.Half or KernelGen.BFloat16."),
    };

    /// <summary>Zeroed memory of <paramref name="length"/> elements of <paramref name="type"/>, 64-byte aligned on the pinned heap.</summary>
    public static TensorMemory Allocate(StateStorage type, int length) => type switch
    {
        StateStorage.Float16 => new(type, default, AlignedArray<HalfElement>(length), default),
        StateStorage.BFloat16 => new(type, default, default, AlignedArray<BFloat16>(length)),
        _ => Of(new AlignedBuffer(length).Memory),
    };

    /// <summary>Throws on .NET Standard, which has no <c>System.Half</c> to store Float16 values as.</summary>
    /// <exception cref="NotSupportedException">This build targets .NET Standard.</exception>
    public static void RequireHalf()
    {
#if !NET
        throw new NotSupportedException("StateStorage.Float16 needs System.Half, which .NET Standard 2.1 lacks: use BFloat16 or Float32 storage, or the .NET 8/10 build.");
#endif
    }

    /// <summary>The name users know a storage type by.</summary>
    public static string Name(StateStorage type) => type switch
    {
        StateStorage.Float16 => "Half",
        StateStorage.BFloat16 => "BFloat16",
        StateStorage.Float32 => "Single",
        _ => type.ToString(),
    };

    /// <summary>The storage type of element type <typeparamref name="T"/>; Int8Blockwise (no element type) for any other type.</summary>
    private static StateStorage TypeOf<T>() =>
        typeof(T) == typeof(float) ? StateStorage.Float32
#if NET
        : typeof(T) == typeof(Half) ? StateStorage.Float16
#endif
        : typeof(T) == typeof(BFloat16) ? StateStorage.BFloat16
        : StateStorage.Int8Blockwise;

    // Memory<A> and Memory<B> have one layout; this is called only when A and B are the same type.
    private static Memory<TTo> Reinterpret<TFrom, TTo>(Memory<TFrom> memory) => Unsafe.As<Memory<TFrom>, Memory<TTo>>(ref memory);

    private static unsafe Memory<T> AlignedArray<T>(int length)
        where T : unmanaged
    {
        int slack = AlignedBuffer.Alignment / sizeof(T) - 1;
#if NET
        T[] array = GC.AllocateArray<T>(checked(length + slack), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
#else
        // No pinned heap (as AlignedBuffer): aligned as allocated, which a moving GC may undo at a cost in speed, never in bits.
        T[] array = new T[checked(length + slack)];
        nint address = (nint)Unsafe.AsPointer(ref array[0]);
#endif
        int misalignment = (int)(address & (AlignedBuffer.Alignment - 1));
        int offset = misalignment == 0 ? 0 : (AlignedBuffer.Alignment - misalignment) / sizeof(T);
        return new Memory<T>(array, offset, length);
    }
}
