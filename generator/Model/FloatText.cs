using System;
using System.Globalization;

namespace KernelGen.Generator.Model;

/// <summary>Writes a float as the shortest decimal that reads back as the same bits.</summary>
internal static class FloatText
{
    public static string Format(float value)
    {
        if (float.IsNaN(value))
        {
            return "NaN";
        }

        if (float.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0f)
        {
            return BitConverter.ToInt32(BitConverter.GetBytes(value), 0) < 0 ? "-0" : "0";
        }

        // "R" is not always the shortest round-trip on .NET Framework hosts; check and widen.
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        for (int digits = 1; digits <= 9; digits++)
        {
            string candidate = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (float.Parse(candidate, CultureInfo.InvariantCulture) == value)
            {
                return candidate.Length <= text.Length ? candidate : text;
            }
        }

        return text;
    }
}
