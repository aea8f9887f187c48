using System.ComponentModel;

namespace KernelGen.Internal;

/// <summary>Sizes the generated loops choose their shape by, measured on the machines in docs/performance.md.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KernelTuning
{
    /// <summary>
    /// The most bytes one call moves (elements times bytes per element) for which the generated
    /// loops software-pipeline their divisions and square roots. Below it the data sits in the
    /// caches and the divider is the limit; above it memory is, and the plain loop is faster.
    /// </summary>
    public const int PipelinedBytes = 32 << 20;
}
