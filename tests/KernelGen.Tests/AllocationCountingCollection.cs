using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Tests that require a thread to allocate nothing at all over a long loop run alone, after the
/// parallel ones. Inside a full, parallel run the digits demo's byte count has grown by about
/// 8 KiB once, at a random step and in a random part of it (the step in one run, the clipping in
/// the run that repeated it), which no run of the same test alone has shown. What allocated was
/// not found: collections by other threads (gen 0, 1 and 2) do not move a thread's count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCountingCollection
{
    public const string Name = "Allocation counting";
}
