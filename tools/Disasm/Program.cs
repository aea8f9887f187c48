using System;

namespace KernelGen.Disasm;

/// <summary>
/// <c>dotnet run -c Release --project tools/Disasm -- arm64|x64 OPTIMIZER ...</c> (see
/// <see cref="DisasmCommand"/>); the hidden first argument <c>disasm-probe</c> makes this process
/// the probe whose JIT listings the command reads (see <see cref="DisasmProbe"/>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) =>
        args.Length > 0 && args[0] == DisasmProbe.Command
            ? DisasmProbe.Run(args[1..], Console.Error)
            : DisasmCommand.Run(args, Console.Out, Console.Error);
}
