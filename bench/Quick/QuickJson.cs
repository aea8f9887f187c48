using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace KernelGen.Bench.Quick;

/// <summary>
/// Writes quick-table rows as a JSON array of objects, field by field with
/// <see cref="Utf8JsonWriter"/> (no reflection, so it stays trimming- and AOT-safe). A baseline
/// an optimizer does not have yet is <c>null</c>, and so is the native peer's figure without a C compiler
/// and the state bytes of a row that does not measure a storage type.
/// </summary>
public static class QuickJson
{
    /// <summary>The field names, in the order each object lists them: the contract's, then the memory figures.</summary>
    public static IReadOnlyList<string> FieldNames { get; } = new[]
    {
        "optimizer", "elements", "isa", "kernelgen_ns_per_element", "naive_ns_per_element",
        "tensorprimitives_ns_per_element", "roofline_ns_per_element", "gcc_ns_per_element", "allocated_bytes_per_step",
        "bytes_moved_per_element", "state_bytes_per_parameter",
    };

    /// <summary>Writes <paramref name="rows"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyList<QuickRow> rows)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        foreach (QuickRow row in rows)
        {
            writer.WriteStartObject();
            writer.WriteString(FieldNames[0], row.Optimizer);
            writer.WriteNumber(FieldNames[1], row.Elements);
            writer.WriteString(FieldNames[2], row.Isa);
            writer.WriteNumber(FieldNames[3], row.KernelGenNsPerElement);
            WriteNullable(writer, FieldNames[4], row.NaiveNsPerElement);
            WriteNullable(writer, FieldNames[5], row.TensorPrimitivesNsPerElement);
            WriteNullable(writer, FieldNames[6], row.RooflineNsPerElement);
            WriteNullable(writer, FieldNames[7], row.GccNsPerElement);
            writer.WriteNumber(FieldNames[8], row.AllocatedBytesPerStep);
            writer.WriteNumber(FieldNames[9], row.BytesPerElement);
            WriteNullable(writer, FieldNames[10], row.StateBytesPerParameter);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes the rows to the file at <paramref name="path"/>, replacing it.</summary>
    public static void WriteFile(string path, IReadOnlyList<QuickRow> rows)
    {
        using FileStream stream = File.Create(path);
        Write(stream, rows);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is double v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
