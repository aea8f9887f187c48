using System.Collections.Generic;
using ScottPlot;

namespace KernelGen.Samples.Digits;

/// <summary><c>--plot PNG</c>: the training loss and the test accuracy per epoch, one line per optimizer, side by side.</summary>
public static class CurvePlot
{
    /// <summary>Draws the curves of <paramref name="results"/> into a PNG at <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<Result> results, string path)
    {
        var multiplot = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Columns() };
        Plot loss = multiplot.GetPlot(0), accuracy = multiplot.AddPlot(); // a multiplot starts with one plot
        foreach (Result result in results)
        {
            var epochs = new double[result.Curve.Count];
            var losses = new double[epochs.Length];
            var accuracies = new double[epochs.Length];
            for (int i = 0; i < epochs.Length; i++)
            {
                epochs[i] = result.Curve[i].Epoch;
                losses[i] = result.Curve[i].Loss;
                accuracies[i] = 100 * result.Curve[i].TestAccuracy;
            }

            loss.Add.ScatterLine(epochs, losses).LegendText = result.Optimizer;
            accuracy.Add.ScatterLine(epochs, accuracies).LegendText = result.Optimizer;
        }

        loss.Title("training loss", size: 13);
        loss.XLabel("epoch", size: 12);
        loss.ShowLegend(Alignment.UpperRight);
        accuracy.Title("test accuracy (%)", size: 13);
        accuracy.XLabel("epoch", size: 12);
        accuracy.ShowLegend(Alignment.LowerRight);
        multiplot.SavePng(path, 900, 340);
    }
}
