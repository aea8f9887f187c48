using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace KernelGen;

/// <summary>One tensor of a safetensors header: its dtype, shape and byte range in the data section.</summary>
internal sealed record TensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of bytes, <c>End - Begin</c>.</summary>
    public long ByteLength => End - Begin;
}

/// <summary>
/// The JSON header of a safetensors file, parsed with no trust in it: every length, offset,
/// dtype and shape is checked before anything is allocated or read from the data section.
/// The layout is the safetensors one: an 8-byte little-endian header length, the header (a JSON
/// object of tensors and an optional <c>__metadata__</c> object of strings), the data section.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted, as the reference implementation (100 MB).</summary>
    public const long MaximumLength = 100_000_000;

    /// <summary>The nesting a header needs: root object, tensor object, shape array; one spare.</summary>
    private const int MaximumDepth = 4;

    /// <summary>Rank limit: generous for files written elsewhere, small enough to bound the work.</summary>
    private const int MaximumRank = 16;

    /// <summary>The key of the metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Bytes per element of every safetensors dtype.</summary>
    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    private SafetensorsHeader(List<TensorEntry> tensors, Dictionary<string, string> metadata, long dataLength, Dictionary<string, int> valueOffsets)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataLength = dataLength;
        _metadataValueOffsets = valueOffsets;
    }

    private readonly Dictionary<string, int> _metadataValueOffsets;

    /// <summary>The tensors, in data order (by offset).</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> pairs (empty when there is none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The length of the data section the tensors cover, without gaps.</summary>
    public long DataLength { get; }

    /// <summary>
    /// Where the raw (unescaped) value of metadata key <paramref name="key"/> starts in the
    /// header bytes, or -1 when the value was written with escapes: the checksum is verified by
    /// zeroing its digits in place, so its position must be exact.
    /// </summary>
    public int MetadataValueOffset(string key) => _metadataValueOffsets.TryGetValue(key, out int offset) ? offset : -1;

    /// <summary>Parses and checks a header.</summary>
    /// <param name="header">The header bytes (after the 8-byte length).</param>
    /// <exception cref="CheckpointException">With <see cref="CheckpointError.MalformedHeader"/>, naming what is wrong.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> header)
    {
        var tensors = new List<TensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var valueOffsets = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions
        {
            MaxDepth = MaximumDepth,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, "the header");
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                if (!keys.Add(key))
                {
                    throw Malformed($"the key '{key}' appears twice");
                }

                if (key == MetadataKey)
                {
                    ReadMetadata(ref reader, metadata, valueOffsets);
                }
                else
                {
                    tensors.Add(ReadTensor(ref reader, key));
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw Malformed($"a key was expected, not {reader.TokenType}");
            }

            // Anything but whitespace after the object makes the reader throw.
            if (reader.Read())
            {
                throw Malformed("something follows the header object");
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointException(CheckpointError.MalformedHeader, $"The checkpoint's header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // The reader checks UTF-8 only when a string is decoded, and reports it this way.
            throw new CheckpointException(CheckpointError.MalformedHeader, $"The checkpoint's header is not valid UTF-8: {e.Message}", e);
        }

        long dataLength = CheckLayout(tensors);
        return new SafetensorsHeader(tensors, metadata, dataLength, valueOffsets);
    }

    /// <summary>
    /// Writes a header: <c>__metadata__</c> first (keys sorted, so equal state gives equal
    /// bytes), then the tensors in data order; padded with spaces, as the reference writer does,
    /// so the data section starts on an 8-byte boundary.
    /// </summary>
    public static byte[] Write(IReadOnlyList<TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            var keys = new List<string>(metadata.Keys);
            keys.Sort(StringComparer.Ordinal);
            foreach (string key in keys)
            {
                writer.WriteString(key, metadata[key]);
            }

            writer.WriteEndObject();
            foreach (TensorEntry tensor in tensors)
            {
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.DType);
                writer.WriteStartArray("shape");
                foreach (long dimension in tensor.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(tensor.Begin);
                writer.WriteNumberValue(tensor.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        int length = buffer.WrittenCount;
        int padded = (length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, Dictionary<string, int> valueOffsets)
    {
        Expect(ref reader, JsonTokenType.StartObject, MetadataKey);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (metadata.ContainsKey(key))
            {
                throw Malformed($"the metadata key '{key}' appears twice");
            }

            if (Next(ref reader) != JsonTokenType.String)
            {
                throw Malformed($"the metadata value of '{key}' is {reader.TokenType}, not a string");
            }

            metadata[key] = reader.GetString()!;
            if (!reader.ValueIsEscaped)
            {
                valueOffsets[key] = checked((int)reader.TokenStartIndex + 1); // past the opening quote
            }
        }
    }

    private static TensorEntry ReadTensor(ref Utf8JsonReader reader, string name)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"tensor '{name}'");
        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            switch (property)
            {
                case "dtype" when dtype is null:
                    if (Next(ref reader) != JsonTokenType.String)
                    {
                        throw Malformed($"the dtype of '{name}' is not a string");
                    }

                    dtype = reader.GetString()!;
                    if (!DTypeSizes.ContainsKey(dtype))
                    {
                        throw Malformed($"'{name}' has the unknown dtype '{dtype}'");
                    }

                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, name, "shape", MaximumRank);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, name, "data_offsets", 2);
                    if (offsets.Length != 2)
                    {
                        throw Malformed($"the data_offsets of '{name}' are not [begin, end]");
                    }

                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw Malformed($"'{name}' has '{property}' twice");
                default:
                    throw Malformed($"'{name}' has the unknown field '{property}'");
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            throw Malformed($"'{name}' lacks {(dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets")}");
        }

        long begin = offsets[0], end = offsets[1];
        if (begin > end)
        {
            throw Malformed($"the data_offsets of '{name}' run backwards ([{begin}, {end}])");
        }

        long elements = 1;
        try
        {
            foreach (long dimension in shape)
            {
                elements = checked(elements * dimension);
            }

            long bytes = checked(elements * DTypeSizes[dtype]);
            if (bytes != end - begin)
            {
                throw Malformed($"'{name}' is {dtype} of shape [{string.Join(", ", shape)}], {bytes} bytes, but its data_offsets span {end - begin}");
            }
        }
        catch (OverflowException)
        {
            throw Malformed($"the shape of '{name}' overflows");
        }

        return new TensorEntry(name, dtype, shape, begin, end);
    }

    /// <summary>Reads an array of at most <paramref name="limit"/> non-negative integers.</summary>
    private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string field, int limit)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"the {field} of '{name}'");
        var values = new List<long>();
        while (Next(ref reader) == JsonTokenType.Number)
        {
            if (values.Count == limit)
            {
                throw Malformed($"the {field} of '{name}' has more than {limit} entries");
            }

            if (!reader.TryGetInt64(out long value) || value < 0)
            {
                throw Malformed($"the {field} of '{name}' holds something other than a non-negative integer");
            }

            values.Add(value);
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw Malformed($"the {field} of '{name}' holds a {reader.TokenType}");
        }

        return values.ToArray();
    }

    /// <summary>
    /// Sorts the tensors by offset and checks that they tile the data section from 0, each
    /// starting where the previous one ends (no overlap, no gap, as the reference reader
    /// requires); returns the section's length.
    /// </summary>
    private static long CheckLayout(List<TensorEntry> tensors)
    {
        tensors.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long end = 0;
        string? previous = null;
        foreach (TensorEntry tensor in tensors)
        {
            if (tensor.Begin < end)
            {
                throw Malformed($"'{tensor.Name}' overlaps '{previous}' (it starts at {tensor.Begin}, before {end})");
            }

            if (tensor.Begin > end)
            {
                throw Malformed($"the data section has a gap before '{tensor.Name}' (bytes {end} to {tensor.Begin})");
            }

            end = tensor.End;
            previous = tensor.Name;
        }

        return end;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Malformed("it ends early");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (Next(ref reader) != type)
        {
            throw Malformed($"{what} is {reader.TokenType}, not {type}");
        }
    }

    private static CheckpointException Malformed(string what) =>
        new(CheckpointError.MalformedHeader, $"The checkpoint's header is malformed: {what}.");
}
