using System;
using System.IO;
using KernelGen.SchedulerPlots;
using ScottPlot;

// Draws the learning rate of every scheduler over a run, one PNG each, into the folder given
// (docs/images/schedulers holds the ones docs/schedulers.md shows).
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tools/SchedulerPlots -- FOLDER");
    return 2;
}

Directory.CreateDirectory(args[0]);
foreach (SchedulerShapes.Shape shape in SchedulerShapes.All())
{
    var steps = new double[shape.Rates.Length];
    for (int i = 0; i < steps.Length; i++)
    {
        steps[i] = i;
    }

    var plot = new Plot();
    var line = plot.Add.ScatterLine(steps, shape.Rates);
    line.LineWidth = 2;
    line.ConnectStyle = ConnectStyle.StepHorizontal; // a rate holds for a whole step
    plot.Title(shape.Title, size: 12);
    plot.XLabel("step", size: 12);
    plot.YLabel("learning rate", size: 12);
    plot.Axes.SetLimits(0, SchedulerShapes.Steps, 0, SchedulerShapes.BaseRate * 1.05);
    string path = Path.Combine(args[0], shape.FileName + ".png");
    plot.SavePng(path, 540, 240);
    Console.WriteLine($"{path}: {shape.Title}");
}

return 0;
