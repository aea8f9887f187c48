using System;
using System.Text;

namespace KernelGen.Conformance;

/// <summary>
/// Python's <c>json.dump</c> writes non-finite floats as the bare tokens <c>NaN</c>,
/// <c>Infinity</c> and <c>-Infinity</c>, which strict JSON parsers reject. Cases may contain
/// them (a NaN expected value is meaningful), so they are turned into the strings
/// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> before parsing, and number readers accept
/// those strings.
/// </summary>
internal static class NonFiniteLiterals
{
    // "-Infinity" first so that the minus sign is taken with it.
    private static readonly string[] Literals = { "-Infinity", "Infinity", "NaN" };

    /// <summary>Returns <paramref name="json"/> with every bare non-finite literal outside strings quoted.</summary>
    public static string Quote(string json)
    {
        StringBuilder? quoted = null;
        int copied = 0;
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
                continue;
            }

            if (c is not ('N' or 'I' or '-'))
            {
                continue;
            }

            foreach (string literal in Literals)
            {
                if (json.AsSpan(i).StartsWith(literal, StringComparison.Ordinal))
                {
                    quoted ??= new StringBuilder(json.Length + 16);
                    quoted.Append(json, copied, i - copied).Append('"').Append(literal).Append('"');
                    i += literal.Length - 1;
                    copied = i + 1;
                    break;
                }
            }
        }

        if (quoted is null)
        {
            return json;
        }

        quoted.Append(json, copied, json.Length - copied);
        return quoted.ToString();
    }

    /// <summary>Reads one of the quoted literals back; <see langword="false"/> for any other string.</summary>
    public static bool TryParse(string? text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "Infinity":
                value = double.PositiveInfinity;
                return true;
            case "-Infinity":
                value = double.NegativeInfinity;
                return true;
            default:
                value = 0;
                return false;
        }
    }
}
