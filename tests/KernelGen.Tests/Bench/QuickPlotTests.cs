using System;
using System.IO;
using System.Linq;
using KernelGen.Bench.Quick;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary><c>quick --plot</c>: rows of two sizes, with and without a gcc figure, drawn into a PNG; no rows is refused.</summary>
public class QuickPlotTests
{
    [Fact]
    public void TheMainTableIsDrawnIntoAPng()
    {
        QuickRow[] rows =
        {
            new("AdamW", 4096, "Vector256", 28, 0.5, 2.0, 1.0, 0.3, 0) { GccNsPerElement = 0.45 },
            new("AdamW", 1 << 20, "Vector256", 28, 0.6, 2.1, 1.1, 0.5, 0) { GccNsPerElement = 0.55 },
            new("Lion", 4096, "Vector256", 16, 0.2, null, null, 0.15, 0),
            new("Lion", 1 << 20, "Vector256", 16, 0.3, null, null, 0.25, 0),
        };
        string path = Path.Combine(Path.GetTempPath(), $"quick-{Guid.NewGuid():N}.png");
        try
        {
            QuickPlot.Save(rows, path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(path).Take(4));
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => QuickPlot.Save(Array.Empty<QuickRow>(), path));
    }
}
