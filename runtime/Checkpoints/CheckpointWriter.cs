using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen;

/// <summary>Writes a checkpoint: the safetensors layout, metadata per docs/checkpoints.md, a CRC-32C over it all.</summary>
internal static class CheckpointWriter
{
    /// <summary>The size of the chunks the data is converted and written in: no buffer grows with the state.</summary>
    internal const int ChunkBytes = 1 << 16;

    public static void Write(IReadOnlyList<Optimizer> groups, Stream destination, CheckpointOptions options, ICheckpointCompanion? wrapper = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(destination));
        }

        foreach (Optimizer group in groups)
        {
            if (group.IsStepOpen)
            {
                // Some tensors would be saved after this step and others before it.
                throw new InvalidOperationException("A checkpoint was saved while a per-tensor step was open (BeginStep without EndStep): save it after EndStep. Nothing was written.");
            }
        }

        CheckpointMetadata.CheckParticipantNames(options.Participants);
        var layout = CheckpointLayout.Build(groups, options.IncludeParameters, wrapper);
        Dictionary<string, string> metadata = Metadata(layout, options);

        // Data order as the reference writer's: wider dtypes first (the I64 step counts, then
        // F32, then BF16 and F16, then the U8 codes of 8-bit states), so with the header padded to 8
        // bytes every tensor is aligned to its element size in the file and torch or numpy can view it in place.
        List<Slot> order = layout.Slots.OrderByDescending(static s => s.ElementSize).ToList();
        var tensors = new List<TensorEntry>(order.Count);
        long offset = 0;
        foreach (Slot slot in order)
        {
            tensors.Add(new TensorEntry(slot.Name, slot.DType, slot.Shape, offset, offset + slot.ByteLength));
            offset += slot.ByteLength;
        }

        // The checksum covers the whole file with its own 8 digits as zeros; writing the header
        // with zeros first gives the exact bytes the reader will checksum.
        byte[] header = SafetensorsHeader.Write(tensors, metadata);
        int digits = SafetensorsHeader.Parse(header).MetadataValueOffset(CheckpointMetadata.Checksum) + CheckpointMetadata.ChecksumPrefix.Length;
        byte[] prefix = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);

        // Two passes over the state: the first for the checksum the header carries, the second to
        // write. Memory is read twice instead of the file being rewritten, so any stream works.
        byte[] buffer = new byte[ChunkBytes];
        var checksum = new Crc32C();
        checksum.Append(prefix);
        checksum.Append(header);
        WriteData(order, buffer, ref checksum, output: null);
        uint value = checksum.Value;

        var written = new Crc32C();
        written.Append(prefix);
        written.Append(header);
#if NET
        if (!value.TryFormat(header.AsSpan(digits, CheckpointMetadata.ChecksumDigits), out _, "x8", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("The checksum did not fit its placeholder.");
        }
#else
        string hex = value.ToString("x8", CultureInfo.InvariantCulture);
        if (hex.Length > CheckpointMetadata.ChecksumDigits)
        {
            throw new InvalidOperationException("The checksum did not fit its placeholder.");
        }

        System.Text.Encoding.ASCII.GetBytes(hex, header.AsSpan(digits, hex.Length));
#endif

        destination.Write(prefix);
        destination.Write(header);
        WriteData(order, buffer, ref written, destination);
        if (written.Value != value)
        {
            throw new InvalidOperationException("The optimizer's state changed while it was being saved; the checkpoint written is invalid. Do not step while saving.");
        }

        destination.Flush();
    }

    private static Dictionary<string, string> Metadata(CheckpointLayout layout, CheckpointOptions options)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CheckpointMetadata.Format] = Checkpoint.Format,
            [CheckpointMetadata.Version] = CheckpointMetadata.Text(Checkpoint.FormatVersion),
            [CheckpointMetadata.Checksum] = CheckpointMetadata.ChecksumPrefix + new string('0', CheckpointMetadata.ChecksumDigits),
            [CheckpointMetadata.GroupCount] = CheckpointMetadata.Text(layout.Groups.Count),
            [CheckpointMetadata.TensorCount] = CheckpointMetadata.Text(layout.TensorCount),
            [CheckpointMetadata.Parameters] = options.IncludeParameters ? "true" : "false",
        };

        for (int g = 0; g < layout.Groups.Count; g++)
        {
            Optimizer optimizer = layout.Groups[g];
            metadata[CheckpointMetadata.OptimizerKey(g)] = CheckpointMetadata.TypeName(optimizer);
            metadata[CheckpointMetadata.ParametersKey(g)] = layout.ParameterIndices(g);
            string prefix = CheckpointMetadata.HyperparameterPrefix(g);
            foreach (string name in optimizer.HyperparameterNames)
            {
                if (!optimizer.TryGetHyperparameter(name, out double value))
                {
                    throw new InvalidOperationException($"{optimizer.GetType().Name} lists the hyper-parameter '{name}' but does not read it.");
                }

                metadata[prefix + name] = CheckpointMetadata.Text(value);
            }

            foreach (ICheckpointCompanion companion in layout.Companions[g])
            {
                Put(metadata, CheckpointLayout.CompanionPrefix(g, companion), companion, companion.CompanionName);
            }
        }

        List<string> names = CheckpointMetadata.SortedNames(options.Participants);
        metadata[CheckpointMetadata.Extras] = string.Join(",", names);
        foreach (string name in names)
        {
            Put(metadata, CheckpointMetadata.ExtraPrefix(name), options.Participants[name], name);
        }

        return metadata;
    }

    /// <summary>Adds what <paramref name="participant"/> saves under <paramref name="prefix"/>.</summary>
    private static void Put(Dictionary<string, string> metadata, string prefix, ICheckpointState participant, string name)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        participant.Save(state);
        foreach (KeyValuePair<string, string> pair in state)
        {
            metadata[prefix + pair.Key] = pair.Value ?? throw new InvalidOperationException($"The participant '{name}' saved a null value for '{pair.Key}'.");
        }
    }

    /// <summary>Converts every slot to little-endian bytes, chunk by chunk, into the checksum and (if given) the stream.</summary>
    private static void WriteData(List<Slot> order, byte[] buffer, ref Crc32C checksum, Stream? output)
    {
        foreach (Slot slot in order)
        {
            int count;
            switch (slot.Kind)
            {
                case SlotKind.State or SlotKind.Parameter:
                    if (slot.Storage == StateStorage.Float32)
                    {
                        WriteValues<float>(slot.Values, buffer, ref checksum, output);
                    }
                    else
                    {
                        WriteValues<ushort>(slot.Bits, buffer, ref checksum, output);
                    }

                    continue;
                case SlotKind.QuantizedCodes:
                    for (int start = 0; start < slot.Length; start += buffer.Length)
                    {
                        Span<byte> bytes = buffer.AsSpan(0, Math.Min(buffer.Length, slot.Length - start));
                        slot.Quantized.CopyCodes(start, bytes);
                        checksum.Append(bytes);
                        output?.Write(bytes);
                    }

                    continue;
                case SlotKind.QuantizedScales:
                    // Small (one float per 256 elements); copied out because unused scales do not exist yet.
                    float[] scales = new float[slot.Length];
                    slot.Quantized.CopyScales(0, scales);
                    WriteValues<float>(scales, buffer, ref checksum, output);
                    continue;
                case SlotKind.TensorState:
                    BinaryPrimitives.WriteSingleLittleEndian(buffer, slot.TensorState);
                    count = sizeof(float);
                    break;
                default:
                    BinaryPrimitives.WriteInt64LittleEndian(buffer, slot.Step);
                    count = sizeof(long);
                    break;
            }

            checksum.Append(buffer.AsSpan(0, count));
            output?.Write(buffer, 0, count);
        }
    }

    /// <summary>Writes float32 values or 16-bit bit patterns little-endian, chunk by chunk, into the checksum and (if given) the stream.</summary>
    private static void WriteValues<T>(ReadOnlySpan<T> values, byte[] buffer, ref Crc32C checksum, Stream? output)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        int perChunk = buffer.Length / size;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            ReadOnlySpan<T> part = values.Slice(start, Math.Min(perChunk, values.Length - start));
            Span<byte> bytes = buffer.AsSpan(0, part.Length * size);
            if (typeof(T) == typeof(float))
            {
                LittleEndian.Write(MemoryMarshal.Cast<T, float>(part), bytes);
            }
            else
            {
                LittleEndian.Write(MemoryMarshal.Cast<T, ushort>(part), bytes);
            }

            checksum.Append(bytes);
            output?.Write(bytes);
        }
    }
}
