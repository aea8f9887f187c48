using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace KernelGen.Bench.Quick;

/// <summary>
/// <c>quick --plot PATH</c>: the main table as a PNG, one panel per size, one bar per optimizer
/// (KernelGen's ns per element) with the roofline's and the C compiler's figures for the same
/// optimizer and size as marks beside it.
/// </summary>
public static class QuickPlot
{
    private const int Width = 900;
    private const int PanelHeight = 190;
    private const int LabelsHeight = 70; // the optimizer names under the last panel

    /// <summary>Draws <paramref name="rows"/> (the main table's: one optimizer at one size each) into a PNG at <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<QuickRow> rows, string path)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count, nameof(rows));
        string[] optimizers = rows.Select(r => r.Optimizer).Distinct().ToArray();
        int[] sizes = rows.Select(r => r.Elements).Distinct().Order().ToArray();
        var multiplot = new Multiplot();
        multiplot.AddPlots(sizes.Length); // makes it hold this many
        Plot[] panels = multiplot.GetPlots();
        for (int p = 0; p < sizes.Length; p++)
        {
            Plot plot = panels[p];
            int size = sizes[p];
            Panel(plot, optimizers, rows.Where(r => r.Elements == size).ToArray(), $"{QuickTable.SizeText(size)} elements, {rows[0].Isa}");
            plot.ShowLegend(Alignment.UpperRight);
            plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
            plot.Axes.Bottom.MinimumSize = 10;
        }

        Plot last = panels[^1];
        last.Axes.Bottom.TickLabelStyle.IsVisible = true;
        last.Axes.Bottom.TickLabelStyle.Rotation = -40;
        last.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        last.Axes.Bottom.MinimumSize = LabelsHeight;
        for (int i = 1; i < sizes.Length; i++)
        {
            panels[i].Legend.IsVisible = false;
        }

        multiplot.SavePng(path, Width, sizes.Length * PanelHeight + LabelsHeight);
    }

    private static void Panel(Plot plot, string[] optimizers, QuickRow[] rows, string title)
    {
        var bars = new List<Bar>();
        var rooflineX = new List<double>();
        var rooflineY = new List<double>();
        var gccX = new List<double>();
        var gccY = new List<double>();
        for (int i = 0; i < optimizers.Length; i++)
        {
            QuickRow? row = rows.FirstOrDefault(r => r.Optimizer == optimizers[i]);
            if (row is null)
            {
                continue;
            }

            bars.Add(new Bar { Position = i, Value = row.KernelGenNsPerElement, FillColor = Colors.SteelBlue, Size = 0.6 });
            if (row.RooflineNsPerElement is double roofline)
            {
                rooflineX.Add(i);
                rooflineY.Add(roofline);
            }

            if (row.GccNsPerElement is double gcc)
            {
                gccX.Add(i + 0.3);
                gccY.Add(gcc);
            }
        }

        var kernelGen = plot.Add.Bars(bars);
        kernelGen.LegendText = "KernelGen";
        var rooflineMarks = plot.Add.ScatterPoints(rooflineX.ToArray(), rooflineY.ToArray());
        rooflineMarks.MarkerShape = MarkerShape.HorizontalBar;
        rooflineMarks.MarkerSize = 22;
        rooflineMarks.MarkerLineWidth = 3;
        rooflineMarks.Color = Colors.Black;
        rooflineMarks.LegendText = "roofline (memory speed)";
        if (gccX.Count > 0)
        {
            var gccMarks = plot.Add.ScatterPoints(gccX.ToArray(), gccY.ToArray());
            gccMarks.MarkerShape = MarkerShape.FilledDiamond;
            gccMarks.MarkerSize = 9;
            gccMarks.Color = Colors.OrangeRed;
            gccMarks.LegendText = "gcc, same loop";
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, optimizers.Length).Select(i => (double)i).ToArray(), optimizers);
        plot.Axes.SetLimitsX(-0.6, optimizers.Length - 0.4);
        plot.Axes.Margins(bottom: 0, top: 0.45); // room for the legend above the bars
        plot.Title(title, size: 12);
        plot.YLabel("ns per element", size: 11);
    }
}
