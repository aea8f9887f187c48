using System.IO;
using System.Linq;
using System.Text.Json;
using KernelGen.Bench.Quick;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>The JSON rows of <c>quick --json</c>: the field names outside checks read, and nulls for missing baselines and a missing native peer.</summary>
public class QuickJsonTests
{
    private static readonly string[] ExpectedFields =
    {
        "optimizer", "elements", "isa", "kernelgen_ns_per_element", "naive_ns_per_element",
        "tensorprimitives_ns_per_element", "roofline_ns_per_element", "gcc_ns_per_element", "allocated_bytes_per_step",
        "bytes_moved_per_element", "state_bytes_per_parameter",
    };

    [Fact]
    public void WritesAnArrayOfObjectsWithTheContractFieldsInOrder()
    {
        var rows = new[]
        {
            new QuickRow("AdamW/states-8bit", 4096, "Vector512", 16.0625, 0.25, 3.5, 1.25, 0.125, 0) { GccNsPerElement = 0.375, StateBytesPerParameter = 2.03125 },
            new QuickRow("Rprop", 65536, "Vector256", 28, 0.5, null, null, 0.25, 8),
        };

        using JsonDocument document = Parse(rows);
        JsonElement[] objects = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, objects.Length);
        foreach (JsonElement row in objects)
        {
            Assert.Equal(ExpectedFields, row.EnumerateObject().Select(p => p.Name).ToArray());
        }

        Assert.Equal("AdamW/states-8bit", objects[0].GetProperty("optimizer").GetString());
        Assert.Equal(4096, objects[0].GetProperty("elements").GetInt32());
        Assert.Equal("Vector512", objects[0].GetProperty("isa").GetString());
        Assert.Equal(0.25, objects[0].GetProperty("kernelgen_ns_per_element").GetDouble());
        Assert.Equal(3.5, objects[0].GetProperty("naive_ns_per_element").GetDouble());
        Assert.Equal(1.25, objects[0].GetProperty("tensorprimitives_ns_per_element").GetDouble());
        Assert.Equal(0.125, objects[0].GetProperty("roofline_ns_per_element").GetDouble());
        Assert.Equal(0.375, objects[0].GetProperty("gcc_ns_per_element").GetDouble());
        Assert.Equal(0, objects[0].GetProperty("allocated_bytes_per_step").GetInt64());
        Assert.Equal(16.0625, objects[0].GetProperty("bytes_moved_per_element").GetDouble());
        Assert.Equal(2.03125, objects[0].GetProperty("state_bytes_per_parameter").GetDouble());
        Assert.Equal(28, objects[1].GetProperty("bytes_moved_per_element").GetDouble());
        Assert.Equal(JsonValueKind.Null, objects[1].GetProperty("state_bytes_per_parameter").ValueKind); // not a storage row
        Assert.Equal(JsonValueKind.Null, objects[1].GetProperty("naive_ns_per_element").ValueKind);
        Assert.Equal(JsonValueKind.Null, objects[1].GetProperty("tensorprimitives_ns_per_element").ValueKind);
        Assert.Equal(JsonValueKind.Null, objects[1].GetProperty("gcc_ns_per_element").ValueKind); // no compiler, or no peer
        Assert.Equal(8, objects[1].GetProperty("allocated_bytes_per_step").GetInt64());
    }

    [Fact]
    public void NoRowsIsAnEmptyArray()
    {
        using JsonDocument document = Parse(System.Array.Empty<QuickRow>());
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        Assert.Equal(0, document.RootElement.GetArrayLength());
    }

    [Fact]
    public void PublishedFieldNamesAreTheContract() => Assert.Equal(ExpectedFields, QuickJson.FieldNames);

    private static JsonDocument Parse(QuickRow[] rows)
    {
        using var stream = new MemoryStream();
        QuickJson.Write(stream, rows);
        return JsonDocument.Parse(stream.ToArray());
    }
}
