using System;
using KernelGen;
using KernelGen.Bench.Conformance;
using KernelGen.Bench.Disasm;
using KernelGen.Bench.Quick;
using KernelGen.Bench.Suite;

namespace KernelGen.Bench;

/// <summary>
/// Dispatches <c>dotnet run --project bench -- COMMAND ...</c> to its command; with no command,
/// or with BenchmarkDotNet's own arguments (<c>--filter *AdamW*</c>), opens BenchmarkDotNet's switcher.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        return (args.Length > 0 ? args[0] : null) switch
        {
            "conformance" => ConformanceCommand.Run(args[1..], CreateOptimizer, Console.Out, Console.Error, Conformance),
            "disasm" => DisasmCommand.Run(args[1..], Console.Out, Console.Error),
            DisasmProbe.Command => DisasmProbe.Run(args[1..], Console.Error),
            "quick" => QuickCommand.Run(args[1..], Console.Out, Console.Error),
            "help" or "-h" or "--help" => Usage(),
            _ => SuiteCommand.Run(args),
        };
    }

    /// <summary>The library's schedulers and clipping in the runner's seams (the path comes from <c>--path</c>).</summary>
    private static ConformanceOptions Conformance { get; } = new()
    {
        Schedulers = TorchSchedulers.Create,
        Clipping = TorchClipping.Create,
    };

    /// <summary>
    /// The bench's one mapping from a reference class name (<c>SGD</c>, <c>Adam</c>, ...) to the
    /// library's built-in optimizers, configured with the reference's defaults.
    /// </summary>
    private static Optimizer? CreateOptimizer(string name) => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null;

    private static int Usage()
    {
        Console.Error.WriteLine("usage: dotnet run -c Release --project bench -- COMMAND");
        Console.Error.WriteLine("commands:");
        Console.Error.WriteLine($"  {ConformanceCommand.Usage}");
        Console.Error.WriteLine($"  {DisasmCommand.Usage}");
        Console.Error.WriteLine($"  {QuickOptions.Usage}");
        Console.Error.WriteLine($"  {SuiteCommand.Usage}");
        return 2;
    }
}
