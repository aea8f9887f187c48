using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Threading;

namespace KernelGen.Bench.Quick;

/// <summary>
/// Other work on every core while quick's busy rows are timed: one child process per core, each
/// spinning one thread (this program's <c>spin</c> command). Disposing kills them; a child also
/// ends by itself when its standard input closes, so none outlives a quick that was killed.
/// </summary>
public sealed class BusyCores : IDisposable
{
    private readonly List<Process> _spinners = new();

    /// <summary>Starts <paramref name="count"/> spinning child processes.</summary>
    public BusyCores(int count)
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                _spinners.Add(StartSpinner());
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The <c>spin</c> command: spins one thread until standard input closes.</summary>
    public static int Spin()
    {
        new Thread(() =>
        {
            while (true)
            {
                Thread.SpinWait(1_000);
            }
        }) { IsBackground = true, Name = "busy spinner" }.Start();
        while (Console.In.Read() >= 0)
        {
        }

        return 0;
    }

    /// <summary>Kills every spinner.</summary>
    public void Dispose()
    {
        foreach (Process spinner in _spinners)
        {
            try
            {
                spinner.Kill();
                spinner.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            spinner.Dispose();
        }

        _spinners.Clear();
    }

    private static Process StartSpinner()
    {
        // This program again: its own executable, or the dotnet host with this assembly.
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown: no spinner can be started.");
        var start = new ProcessStartInfo(host) { RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        start.ArgumentList.Add("spin");
        return Process.Start(start) ?? throw new InvalidOperationException($"{host} did not start.");
    }
}
