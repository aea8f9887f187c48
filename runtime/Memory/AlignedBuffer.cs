using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen;

/// <summary>
/// A float buffer whose first element sits on a 64-byte boundary (one cache line, one 512-bit
/// vector), so full-width loads never split a line. It lives on the pinned object heap: it never
/// moves, needs no disposal, and its <see cref="Memory"/> can be handed to any API.
/// </summary>
public sealed unsafe class AlignedBuffer
{
    /// <summary>The alignment in bytes.</summary>
    public const int Alignment = 64;

    private readonly float[] _array;
    private readonly int _offset;

    /// <summary>The most floats a buffer holds: the longest array, less the slack alignment needs.</summary>
    public static int MaxLength => Array.MaxLength - Slack;

    // Up to this many floats before the first aligned one.
    private const int Slack = Alignment / sizeof(float) - 1;

    /// <summary>Allocates <paramref name="length"/> zeroed floats, 64-byte aligned.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or above <see cref="MaxLength"/>.</exception>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"An aligned buffer holds at most {MaxLength} floats (the longest array, less {Slack} for alignment).");
        }

        const int slack = Slack;
#if NET
        _array = GC.AllocateArray<float>(length + slack, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
#else
        // .NET Standard has no pinned heap: aligned as allocated; a moving GC may shift it, which
        // costs speed (the kernels load unaligned), never bits.
        _array = new float[length + slack];
        nint address = (nint)Unsafe.AsPointer(ref _array[0]);
#endif
        int misalignment = (int)(address & (Alignment - 1));
        _offset = misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
        Length = length;
    }

    /// <summary>Allocates an aligned copy of <paramref name="values"/>.</summary>
    public AlignedBuffer(ReadOnlySpan<float> values)
        : this(values.Length)
    {
        values.CopyTo(Span);
    }

    /// <summary>The number of floats.</summary>
    public int Length { get; }

    /// <summary>The elements.</summary>
    public Span<float> Span => new(_array, _offset, Length);

    /// <summary>The elements as memory, for APIs that keep a reference.</summary>
    public Memory<float> Memory => new(_array, _offset, Length);

    /// <summary>Copies the elements into a new array.</summary>
    public float[] ToArray() => Span.ToArray();
}
