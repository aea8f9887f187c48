using System;
using KernelGen.Tests.Kernels;

namespace KernelGen.CrossArch;

/// <summary>
/// The parallel step: tensors cut into chunks and runs of small tensors stepped by helper threads
/// (MaxDegreeOfParallelism 4, every step shared) must give the bits of the single-threaded step.
/// Rules with per-tensor reductions stay on the calling thread by design; they are run all the same.
/// </summary>
internal static class ParallelCases
{
    // Two tensors long enough to be cut into chunks (at least 2 × 16,384 elements), with tails that
    // are no multiple of any vector width; the small ones go whole, between the chunks.
    private static readonly int[] Lengths = { 40_007, 100, 0, 33_000, 33 };

    private const int Steps = 3;

    public static CrossArchCase Serial(string optimizer) => new($"serial {optimizer}", path => Run(optimizer, path, parallel: false));

    public static CrossArchCase Parallel(string optimizer) =>
        new($"parallel {optimizer}", path => Run(optimizer, path, parallel: true), SameAs: $"serial {optimizer}");

    private static ulong Run(string optimizer, KernelPath path, bool parallel)
    {
        Optimizer kernel = KernelCases.Optimizers[optimizer]();
        kernel.Path = path;
        if (parallel)
        {
            kernel.MaxDegreeOfParallelism = 4;
            kernel.ParallelThreshold = 1;

            // Every step shared, whatever the guard would judge of a late helper on a loaded machine.
            kernel.ShareEveryStep = true;
        }

        for (int t = 0; t < Lengths.Length; t++)
        {
            kernel.Add(KernelCases.Values(Lengths[t], seed: 10 + t, scale: 2f), KernelCases.Values(Lengths[t], seed: 30 + t, scale: 1f));
        }

        var digest = new Digest();
        for (int s = 0; s < Steps; s++)
        {
            kernel.Step();
            digest.Add(kernel);
        }

        if (parallel)
        {
            CheckShared(kernel);
        }

        return digest.Value;
    }

    /// <summary>Work items (chunks or runs of tensors) helper threads stepped in all parallel cases so far: whether they took part is timing.</summary>
    public static long HelperItems { get; private set; }

    /// <summary>
    /// With more than one processor, every step of a rule without reductions was shared and the
    /// long tensors were cut into chunks: otherwise the case would compare two single-threaded runs.
    /// </summary>
    private static void CheckShared(Optimizer kernel)
    {
        HelperItems += kernel.HelperItems;
        bool shared = Environment.ProcessorCount > 1 && kernel.Rule.ReductionCount == 0;
        if (shared && (kernel.ParallelSteps != Steps || kernel.Tensors[0].ChunkCount < 2 || kernel.Tensors[3].ChunkCount < 2))
        {
            throw new InvalidOperationException(
                $"the step was not shared as planned: {kernel.ParallelSteps} of {Steps} steps parallel, chunks {kernel.Tensors[0].ChunkCount} and {kernel.Tensors[3].ChunkCount}");
        }
    }
}
