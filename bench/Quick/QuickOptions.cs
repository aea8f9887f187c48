using System;
using System.Collections.Generic;
using System.Globalization;

namespace KernelGen.Bench.Quick;

/// <summary>The options of <c>quick</c>, parsed from its arguments.</summary>
public sealed class QuickOptions
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "quick [--path Auto|Scalar|Vector128|Vector256|Vector512] [--json PATH] [--plot PNG] [--sizes 4Ki,64Ki,1Mi,16Mi] [--optimizers AdamW,SGD,...] [--first-steps]";

    /// <summary>The path KernelGen and the roofline run; <see cref="KernelPath.Auto"/> is <see cref="KernelDispatch.Best"/>.</summary>
    public KernelPath Path { get; private set; } = KernelPath.Auto;

    /// <summary>Where to write the rows as JSON, or <see langword="null"/>.</summary>
    public string? JsonPath { get; private set; }

    /// <summary>Where to draw the main table as a PNG (<see cref="QuickPlot"/>), or <see langword="null"/>.</summary>
    public string? PlotPath { get; private set; }

    /// <summary>The tensor sizes, in elements.</summary>
    public IReadOnlyList<int> Sizes { get; private set; } = QuickRunner.DefaultSizes;

    /// <summary>Only the whole-model steps and the first steps of fresh processes (<c>--first-steps</c>).</summary>
    public bool FirstStepsOnly { get; private set; }

    /// <summary>The optimizers to measure, or <see langword="null"/> for every built-in one.</summary>
    public IReadOnlyList<string>? Optimizers { get; private set; }

    /// <summary>Parses <paramref name="args"/>; on failure returns <see langword="null"/> and says why in <paramref name="error"/>.</summary>
    public static QuickOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new QuickOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string? value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--path" when value is not null && Enum.TryParse(value, ignoreCase: true, out KernelPath path) && Enum.IsDefined(path):
                    options.Path = path;
                    break;
                case "--json" when value is not null:
                    options.JsonPath = value;
                    break;
                case "--plot" when value is not null:
                    options.PlotPath = value;
                    break;
                case "--sizes" when value is not null && TryParseSizes(value, out int[] sizes):
                    options.Sizes = sizes;
                    break;
                case "--first-steps":
                    options.FirstStepsOnly = true;
                    continue;
                case "--optimizers" when value is not null:
                    options.Optimizers = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                default:
                    error = $"unexpected or incomplete argument '{args[i]}'";
                    return null;
            }

            i++;
        }

        return options;
    }

    /// <summary>Parses <c>4096,64Ki,1Mi</c>: plain counts or counts with a binary suffix.</summary>
    public static bool TryParseSizes(string text, out int[] sizes)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            int shift = part.EndsWith("Mi", StringComparison.OrdinalIgnoreCase) ? 20 : part.EndsWith("Ki", StringComparison.OrdinalIgnoreCase) ? 10 : 0;
            string digits = shift == 0 ? part : part[..^2];
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count <= 0 || count > int.MaxValue >> shift)
            {
                return false;
            }

            sizes[i] = count << shift;
        }

        return parts.Length > 0;
    }
}
