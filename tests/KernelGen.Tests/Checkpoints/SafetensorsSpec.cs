using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace KernelGen.Tests.Checkpoints;

/// <summary>
/// A minimal safetensors reader and writer written from the format's specification, sharing no
/// code with the runtime: it stands in for Python's <c>safetensors</c> (not installable here) to
/// show that what the runtime writes is what the format says, and that a file from another writer
/// (other key order, other data order, indented JSON) is read.
/// Spec: 8 bytes little-endian u64 N; N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets:
/// [begin, end)}, "__metadata__": {string: string}}; then the data, offsets relative to its start.
/// </summary>
internal sealed class SafetensorsSpec
{
    public sealed record Tensor(string DType, long[] Shape, byte[] Data)
    {
        /// <summary>Where the data starts in the file (set when read).</summary>
        public long FileOffset { get; init; }
    }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    public long HeaderLength { get; private set; }

    public static SafetensorsSpec Read(byte[] file)
    {
        var result = new SafetensorsSpec();
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        result.HeaderLength = (long)n;
        byte[] data = file.AsSpan(8 + (int)n).ToArray();
        using JsonDocument document = JsonDocument.Parse(file.AsMemory(8, (int)n));
        long covered = 0;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (JsonProperty pair in property.Value.EnumerateObject())
                {
                    result.Metadata[pair.Name] = pair.Value.GetString()!;
                }

                continue;
            }

            string dtype = property.Value.GetProperty("dtype").GetString()!;
            long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            int size = dtype switch { "F32" or "I32" => 4, "I64" or "F64" => 8, _ => throw new InvalidDataException(dtype) };
            if (offsets[1] - offsets[0] != elements * size)
            {
                throw new InvalidDataException($"{property.Name}: shape and offsets disagree");
            }

            covered += offsets[1] - offsets[0];
            result.Tensors[property.Name] = new Tensor(dtype, shape, data.AsSpan((int)offsets[0], (int)(offsets[1] - offsets[0])).ToArray())
            {
                FileOffset = 8 + (long)n + offsets[0],
            };
        }

        if (covered != data.Length)
        {
            throw new InvalidDataException("the tensors do not cover the data section");
        }

        return result;
    }

    public float[] Floats(string name)
    {
        byte[] data = Tensors[name].Data;
        var values = new float[data.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
        }

        return values;
    }

    public long Int64(string name) => BinaryPrimitives.ReadInt64LittleEndian(Tensors[name].Data);

    /// <summary>
    /// Writes the file another way than the runtime does: indented JSON, tensors keyed in
    /// reverse name order, data laid out in name order, and resealed with this file's own CRC.
    /// </summary>
    public byte[] Write()
    {
        var ordered = Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var offsets = new Dictionary<string, (long Begin, long End)>();
        var data = new MemoryStream();
        foreach (string name in ordered)
        {
            offsets[name] = (data.Length, data.Length + Tensors[name].Data.Length);
            data.Write(Tensors[name].Data);
        }

        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (string name in Enumerable.Reverse(ordered))
            {
                writer.WriteStartObject(name);
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offsets[name].Begin);
                writer.WriteNumberValue(offsets[name].End);
                writer.WriteEndArray();
                writer.WriteStartArray("shape");
                foreach (long d in Tensors[name].Shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WriteString("dtype", Tensors[name].DType);
                writer.WriteEndObject();
            }

            writer.WriteStartObject("__metadata__");
            foreach (KeyValuePair<string, string> pair in Metadata.Reverse())
            {
                writer.WriteString(pair.Key, pair.Value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Reseal(Assemble(json.ToArray(), data.ToArray()));
    }

    /// <summary>Length prefix, header, data: no checks, for hostile files too.</summary>
    public static byte[] Assemble(byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    public static byte[] Assemble(string header, byte[] data, ulong? declaredLength = null) =>
        Assemble(Encoding.UTF8.GetBytes(header), data, declaredLength);

    /// <summary>
    /// Recomputes the checksum as docs/checkpoints.md defines it: CRC-32C of the whole file with
    /// the 8 hex digits of <c>checksum</c> as '0', written back into those digits.
    /// </summary>
    public static byte[] Reseal(byte[] file)
    {
        byte[] copy = (byte[])file.Clone();
        int digits = ChecksumDigits(copy);
        copy.AsSpan(digits, 8).Fill((byte)'0');
        uint crc = Crc32C(copy);
        Encoding.ASCII.GetBytes(crc.ToString("x8")).CopyTo(copy, digits);
        return copy;
    }

    /// <summary>The checksum as the file records it and as the bytes give it.</summary>
    public static (uint Recorded, uint Computed) Checksums(byte[] file)
    {
        byte[] copy = (byte[])file.Clone();
        int digits = ChecksumDigits(copy);
        uint recorded = Convert.ToUInt32(Encoding.ASCII.GetString(copy, digits, 8), 16);
        copy.AsSpan(digits, 8).Fill((byte)'0');
        return (recorded, Crc32C(copy));
    }

    private static int ChecksumDigits(byte[] file)
    {
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, headerEnd - 8);
        int key = header.IndexOf("\"checksum\"", StringComparison.Ordinal);
        int value = header.IndexOf("crc32c:", key, StringComparison.Ordinal) + "crc32c:".Length;
        return 8 + Encoding.UTF8.GetByteCount(header.AsSpan(0, value));
    }

    /// <summary>CRC-32C bit by bit (reflected polynomial 0x82F63B78), the textbook way.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }
}
