using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Internal;

/// <summary>Argument checks shared by generated code, so a rejected call writes nothing.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws when a buffer's length differs from the parameter's.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength(int parameterLength, int length, string argument)
    {
        if (length != parameterLength)
        {
            ThrowLengthDiffers(parameterLength, length, argument);
        }
    }

    /// <summary>Throws when two buffers share memory: a kernel would read values it has already written.</summary>
    /// <exception cref="ArgumentException">The buffers overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Disjoint(ReadOnlySpan<float> first, ReadOnlySpan<float> second, string firstName, string secondName) =>
        Disjoint(MemoryMarshal.AsBytes(first), MemoryMarshal.AsBytes(second), firstName, secondName);

    /// <summary>Throws when two buffers, of any element types, share memory.</summary>
    /// <exception cref="ArgumentException">They overlap.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Disjoint(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, string firstName, string secondName)
    {
        if (first.Overlaps(second))
        {
            ThrowOverlap(firstName, secondName);
        }
    }

    /// <summary>Throws when a hyper-parameter is outside its declared range (NaN is outside any range with a bound).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is out of range.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InRange(double value, double minimum, double maximum, bool maximumIsExclusive, string name)
    {
        bool inRange = value >= minimum && (maximumIsExclusive ? value < maximum : value <= maximum);
        if (!inRange)
        {
            ThrowOutOfRange(value, minimum, maximum, maximumIsExclusive, name);
        }
    }

    /// <summary>Converts a hyper-parameter value to an int, refusing a fraction or an out-of-range value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a whole number in int's range.</exception>
    public static int ToInt(double value, string name)
    {
        if (value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, $"The hyper-parameter '{name}' takes a whole number.");
        }

        return (int)value;
    }

    /// <summary>Converts a hyper-parameter value to a bool: 0 is false, 1 is true, anything else is refused.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither 0 nor 1.</exception>
    public static bool ToBool(double value, string name) => value switch
    {
        0 => false,
        1 => true,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, $"The hyper-parameter '{name}' is a flag: 0 or 1."),
    };

    // The checks run before every step and every Apply: each is a comparison the JIT inlines, and
    // the message is built out of line, only when a check fails.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthDiffers(int parameterLength, int length, string argument) =>
        throw new ArgumentException($"'{argument}' has {length} elements but the parameter has {parameterLength}.", argument);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverlap(string firstName, string secondName) =>
        throw new ArgumentException($"'{secondName}' overlaps '{firstName}': every buffer of a step needs its own memory.", secondName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange(double value, double minimum, double maximum, bool maximumIsExclusive, string name)
    {
        string upper = maximumIsExclusive ? $"{maximum})" : $"{maximum}]";
        throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [{minimum}, {upper}; it is {value}.");
    }
}
