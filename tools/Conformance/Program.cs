using System;

namespace KernelGen.Conformance;

/// <summary>
/// <c>dotnet run -c Release --project tools/Conformance -- [--path PATH] DIR [DIR ...]</c>: the
/// conformance runner over the library's built-in optimizers, schedulers and clipping (see
/// <see cref="ConformanceCommand"/>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) =>
        ConformanceCommand.Run(args, CreateOptimizer, Console.Out, Console.Error, Conformance);

    /// <summary>The library's schedulers and clipping in the runner's seams (the path comes from <c>--path</c>).</summary>
    private static ConformanceOptions Conformance { get; } = new()
    {
        Schedulers = TorchSchedulers.Create,
        Clipping = TorchClipping.Create,
    };

    /// <summary>
    /// The runner's one mapping from a reference class name (<c>SGD</c>, <c>Adam</c>, ...) to the
    /// library's built-in optimizers, configured with the reference's defaults.
    /// </summary>
    private static Optimizer? CreateOptimizer(string name) => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null;
}
