using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace KernelGen.Bench.Quick;

/// <summary>Prints quick-table rows side by side, one line per optimizer and size.</summary>
public static class QuickTable
{
    private static readonly string[] Headers =
    {
        "optimizer", "elements", "isa", "B/elem", "KernelGen", "naive", "TensorPrim", "roofline", "gcc",
        "x naive", "x TP", "/roofline", "x gcc", "KG GB/s", "alloc B/step",
    };

    /// <summary>Writes the header, a rule and the rows, columns aligned (ns per element unless the header says otherwise).</summary>
    public static void Write(TextWriter output, IReadOnlyList<QuickRow> rows)
    {
        var lines = new List<string[]> { Headers };
        foreach (QuickRow row in rows)
        {
            lines.Add(Cells(row));
        }

        var widths = new int[Headers.Length];
        foreach (string[] line in lines)
        {
            for (int i = 0; i < line.Length; i++)
            {
                widths[i] = Math.Max(widths[i], line[i].Length);
            }
        }

        for (int l = 0; l < lines.Count; l++)
        {
            output.WriteLine(Join(lines[l], widths));
            if (l == 0)
            {
                output.WriteLine(new string('-', Join(lines[0], widths).Length));
            }
        }
    }

    /// <summary>The cells of one row, as printed.</summary>
    public static string[] Cells(QuickRow row) => new[]
    {
        row.Optimizer,
        SizeText(row.Elements),
        row.Isa,
        row.BytesPerElement.ToString(CultureInfo.InvariantCulture),
        Nanoseconds(row.KernelGenNsPerElement),
        Nanoseconds(row.NaiveNsPerElement),
        Nanoseconds(row.TensorPrimitivesNsPerElement),
        Nanoseconds(row.RooflineNsPerElement),
        Nanoseconds(row.GccNsPerElement),
        Ratio(row.SpeedupOverNaive, "x"),
        Ratio(row.SpeedupOverTensorPrimitives, "x"),
        Ratio(row.OverRoofline, ""),
        Ratio(row.OverGcc, ""),
        row.KernelGenGigabytesPerSecond.ToString("F1", CultureInfo.InvariantCulture),
        row.AllocatedBytesPerStep.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary><c>4 Ki</c>, <c>16 Mi</c>, or the plain count when it is no whole number of either.</summary>
    public static string SizeText(int elements) =>
        elements >= 1 << 20 && elements % (1 << 20) == 0 ? $"{elements >> 20} Mi" :
        elements >= 1 << 10 && elements % (1 << 10) == 0 ? $"{elements >> 10} Ki" :
        elements.ToString(CultureInfo.InvariantCulture);

    private static string Nanoseconds(double? value) => value is double v ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";

    private static string Ratio(double? value, string suffix) => value is double v ? v.ToString("F2", CultureInfo.InvariantCulture) + suffix : "-";

    private static string Join(string[] cells, int[] widths)
    {
        var text = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            // Names left-aligned, figures right-aligned so their decimal points line up.
            text.Append(i < 3 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            text.Append(i + 1 < cells.Length ? "  " : "");
        }

        return text.ToString().TrimEnd();
    }
}
