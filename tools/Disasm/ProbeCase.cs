using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace KernelGen.Disasm;

/// <summary>
/// One optimizer configuration the probe steps, so the JIT compiles the loops of exactly that
/// flag combination. Written on a command line as <c>NAME</c> or <c>NAME:key=value,key=value</c>
/// (keys are hyper-parameter names or aliases; bools take 0 or 1).
/// </summary>
public sealed record ProbeCase(string Optimizer, IReadOnlyList<KeyValuePair<string, double>> Settings)
{
    /// <summary>The optimizer with its default hyper-parameters.</summary>
    public ProbeCase(string optimizer)
        : this(optimizer, Array.Empty<KeyValuePair<string, double>>())
    {
    }

    /// <summary>Parses the command-line form.</summary>
    /// <exception cref="FormatException">A setting is not <c>key=number</c>.</exception>
    public static ProbeCase Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return new ProbeCase(text);
        }

        var settings = new List<KeyValuePair<string, double>>();
        foreach (string pair in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            settings.Add(ParseSetting(pair));
        }

        return new ProbeCase(text[..colon], settings);
    }

    /// <summary>Parses one <c>key=value</c> (<c>true</c>/<c>false</c> read as 1/0).</summary>
    /// <exception cref="FormatException">Not <c>key=number</c>.</exception>
    public static KeyValuePair<string, double> ParseSetting(string pair)
    {
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        string value = equals < 0 ? "" : pair[(equals + 1)..];
        double number = value switch
        {
            "true" => 1d,
            "false" => 0d,
            _ => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)
                ? parsed
                : throw new FormatException($"'{pair}' is not key=number (bools: key=1 or key=true)."),
        };
        return new KeyValuePair<string, double>(pair[..Math.Max(equals, 0)], number);
    }

    /// <summary>The command-line form, which <see cref="Parse"/> reads back.</summary>
    public override string ToString() => Settings.Count == 0
        ? Optimizer
        : Optimizer + ":" + string.Join(",", Settings.Select(s => s.Key + "=" + s.Value.ToString("R", CultureInfo.InvariantCulture)));
}
