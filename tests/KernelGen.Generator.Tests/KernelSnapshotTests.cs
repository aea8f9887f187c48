using System.Linq;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The [Kernel] entry: a static class with two kernels, and the code generated for each (one file
/// per kernel, the loops in a nested class of their own so the two do not share member names).
/// </summary>
public class KernelSnapshotTests
{
    /// <summary>
    /// <c>Mix</c> reads two spans and writes one: its entries take a <c>Span</c> and two
    /// <c>ReadOnlySpan</c>s in the method's order, are public as the method is (in an internal class), and check the three
    /// lengths and overlaps; <c>clamp</c> becomes a flag, <c>1f - weight</c> is hoisted.
    /// <c>Swap</c> reads no span and writes two: internal entries, no read-only span at all.
    /// Neither has a gradient unscaling flag: a kernel has no gradient.
    /// </summary>
    public const string Elementwise = """
        using System;
        using KernelGen;

        namespace Kernels;

        internal static partial class Elementwise
        {
            [Kernel]
            public static void Mix(ref float target, float first, float second, [Uniform] float weight, bool clamp)
            {
                float mixed = weight * first + (1f - weight) * second;
                if (clamp)
                {
                    mixed = MathF.Min(MathF.Max(mixed, -1f), 1f);
                }

                target = mixed > target ? mixed : target;
            }

            [Kernel]
            internal static void Swap(ref float x, ref float y, [Uniform] float scale)
            {
                float old = x;
                x = y * scale;
                y = old;
            }
        }
        """;

    [Fact]
    public void GeneratedSourcesMatchTheSnapshots()
    {
        GeneratorRun run = GeneratorHarness.Run(Elementwise);

        GeneratedAssert.Clean(run, files: 2);
        Assert.Equal(new[] { "Kernels.Elementwise.Mix.KernelGen.g.cs", "Kernels.Elementwise.Swap.KernelGen.g.cs" }, run.Sources.Select(s => s.HintName).OrderBy(n => n));
        foreach ((string hintName, string text) in run.Sources)
        {
            Snapshot.Verify(text, "Kernel." + hintName.Split('.')[2], "cs");
        }
    }
}
