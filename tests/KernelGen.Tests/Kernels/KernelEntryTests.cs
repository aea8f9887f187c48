using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>
/// The [Kernel] entries: on every path, the generated loops give the bits of calling the kernel's
/// method element by element (its <c>WithRule</c> oracle), and they refuse spans of different
/// lengths or that overlap before writing anything.
/// </summary>
public class KernelEntryTests
{
    // Repeated calls feed each call's output to the next, as EMA, SWA and accumulation do.
    private const int Calls = 3;

    public static IEnumerable<object[]> KernelAndPath() =>
        from name in KernelCases.Kernels.Keys
        from path in KernelCases.SupportedPaths
        select new object[] { name, path };

    [Theory]
    [MemberData(nameof(KernelAndPath))]
    public void KernelEqualsRule(string kernel, KernelPath path)
    {
        KernelCase @case = KernelCases.Kernels[kernel];
        foreach (int length in KernelCases.Lengths)
        {
            float[][] expected = KernelCases.RunKernel(@case, path: null, length, Calls);
            float[][] actual = KernelCases.RunKernel(@case, path, length, Calls);
            for (int span = 0; span < expected.Length; span++)
            {
                for (int i = 0; i < length; i++)
                {
                    Assert.True(SameBits.Of(expected[span][i], actual[span][i]),
                        $"{kernel} on {path}, length {length}, span {span}, element {i}: rule {expected[span][i]:R}, kernel {actual[span][i]:R}");
                }
            }
        }
    }

    [Fact]
    public void ReadSpansAreOnlyRead()
    {
        float[] end = KernelCases.Values(37, seed: 1, scale: 1f);
        float[] before = (float[])end.Clone();
        LinearInterpolation.Lerp(new float[37], end, 0.9f);
        Assert.Equal(before, end);
    }

    [Fact]
    public void SpansOfDifferentLengthsAreRefusedBeforeAnythingIsWritten()
    {
        float[] start = { 1f, 2f, 3f };
        var exception = Assert.Throws<ArgumentException>(() => LinearInterpolation.Lerp(start, new float[2], 0.5f));
        Assert.Equal("end", exception.ParamName);
        Assert.Equal(new[] { 1f, 2f, 3f }, start);
        Assert.Throws<ArgumentException>(() => LookaheadKernels.Sync(new float[4], new float[5], 0.5f));
        Assert.Throws<ArgumentException>(() => LinearInterpolation.LerpWithRule(start, new float[4], 0.5f));
    }

    [Fact]
    public void OverlappingSpansAreRefused()
    {
        float[] buffer = new float[10];
        Assert.Throws<ArgumentException>(() => LookaheadKernels.Sync(buffer.AsSpan(0, 5), buffer.AsSpan(4, 5), 0.5f));
        Assert.Throws<ArgumentException>(() => LinearInterpolation.Lerp(buffer.AsSpan(0, 5), buffer.AsSpan(0, 5), 0.5f));
    }

    [Fact]
    public void EmptySpansAreNothingToDo()
    {
        LookaheadKernels.Sync(Span<float>.Empty, Span<float>.Empty, 0.5f);
        LinearInterpolation.Lerp(Span<float>.Empty, ReadOnlySpan<float>.Empty, 0.5f);
    }
}
