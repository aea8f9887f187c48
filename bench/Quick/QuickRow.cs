namespace KernelGen.Bench.Quick;

/// <summary>
/// One row of the quick table: one optimizer at one size, nanoseconds per element of each
/// contender (<see langword="null"/> when the optimizer has no such baseline yet).
/// </summary>
public sealed record QuickRow(
    string Optimizer,
    int Elements,
    string Isa,
    double BytesPerElement,
    double KernelGenNsPerElement,
    double? NaiveNsPerElement,
    double? TensorPrimitivesNsPerElement,
    double? RooflineNsPerElement,
    long AllocatedBytesPerStep)
{
    /// <summary>The C compiler's build of the same loop (the native peer), or <see langword="null"/> without a compiler or a peer for this optimizer.</summary>
    public double? GccNsPerElement { get; init; }

    /// <summary>Optimizer state bytes per parameter, on the rows that measure a storage type (16-bit or 8-bit states); otherwise <see langword="null"/>.</summary>
    public double? StateBytesPerParameter { get; init; }

    /// <summary>How many times faster than the naive loop KernelGen runs.</summary>
    public double? SpeedupOverNaive => NaiveNsPerElement / KernelGenNsPerElement;

    /// <summary>How many times faster than the TensorPrimitives composition KernelGen runs.</summary>
    public double? SpeedupOverTensorPrimitives => TensorPrimitivesNsPerElement / KernelGenNsPerElement;

    /// <summary>KernelGen's time over the roofline's: 1 means the kernel moves its bytes as fast as the memory allows.</summary>
    public double? OverRoofline => KernelGenNsPerElement / RooflineNsPerElement;

    /// <summary>KernelGen's time over the native peer's: below 1 KernelGen is faster than the C compiler's loop.</summary>
    public double? OverGcc => KernelGenNsPerElement / GccNsPerElement;

    /// <summary>The bandwidth KernelGen reaches, in GB/s (bytes per element over ns per element).</summary>
    public double KernelGenGigabytesPerSecond => BytesPerElement / KernelGenNsPerElement;
}
