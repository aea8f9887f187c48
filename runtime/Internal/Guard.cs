using System;

namespace KernelGen.Internal;

/// <summary>Argument checks shared by generated code, so a rejected call writes nothing.</summary>
public static class Guard
{
    /// <summary>Throws when a buffer's length differs from the parameter's.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void SameLength(int parameterLength, int length, string argument)
    {
        if (length != parameterLength)
        {
            throw new ArgumentException($"'{argument}' has {length} elements but the parameter has {parameterLength}.", argument);
        }
    }

    /// <summary>Converts a hyper-parameter value to an int, refusing a fraction or an out-of-range value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a whole number in int's range.</exception>
    public static int ToInt(double value, string name)
    {
        if (value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The hyper-parameter '{name}' takes a whole number.");
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
}
