namespace KernelGen.Bench.Quick;

/// <summary>
/// One row of the quick table: one optimizer at one size, nanoseconds per element of each
/// contender (<see langword="null"/> when the optimizer has no such baseline yet).
/// </summary>
public sealed record QuickRow(
    string Optimizer,
    int Elements,
    string Isa,
    int BytesPerElement,
    double KernelGenNsPerElement,
    double? NaiveNsPerElement,
    double? TensorPrimitivesNsPerElement,
    double? RooflineNsPerElement,
    long AllocatedBytesPerStep)
{
    /// <summary>How many times faster than the naive loop KernelGen runs.</summary>
    public double? SpeedupOverNaive => NaiveNsPerElement / KernelGenNsPerElement;

    /// <summary>How many times faster than the TensorPrimitives composition KernelGen runs.</summary>
    public double? SpeedupOverTensorPrimitives => TensorPrimitivesNsPerElement / KernelGenNsPerElement;

    /// <summary>KernelGen's time over the roofline's: 1 means the kernel moves its bytes as fast as the memory allows.</summary>
    public double? OverRoofline => KernelGenNsPerElement / RooflineNsPerElement;

    /// <summary>The bandwidth KernelGen reaches, in GB/s (bytes per element over ns per element).</summary>
    public double KernelGenGigabytesPerSecond => BytesPerElement / KernelGenNsPerElement;
}
