using System;
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
            "quick" => QuickCommand.Run(args[1..], Console.Out, Console.Error),
            "spin" => BusyCores.Spin(), // quick's busy rows start it as a child process
            "help" or "-h" or "--help" => Usage(),
            _ => SuiteCommand.Run(args),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: dotnet run -c Release --project bench -- COMMAND");
        Console.Error.WriteLine("commands:");
        Console.Error.WriteLine($"  {QuickOptions.Usage}");
        Console.Error.WriteLine($"  {SuiteCommand.Usage}");
        Console.Error.WriteLine("The conformance runner and the ARM64 disassembly probe are programs of their own: tools/Conformance, tools/Disasm.");
        return 2;
    }
}
