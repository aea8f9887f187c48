using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>The <c>__metadata__</c> keys of a checkpoint and how values are written (docs/checkpoints.md).</summary>
internal static class CheckpointMetadata
{
    public const string Format = "format";
    public const string Version = "format_version";
    public const string Checksum = "checksum";
    public const string GroupCount = "group_count";
    public const string TensorCount = "tensor_count";
    public const string Parameters = "parameters";
    public const string Extras = "extras";

    /// <summary>The checksum value is this prefix and 8 lowercase hex digits.</summary>
    public const string ChecksumPrefix = "crc32c:";
    public const int ChecksumDigits = 8;

    public static string OptimizerKey(int group) => $"groups.{Text(group)}.optimizer";

    public static string ParametersKey(int group) => $"groups.{Text(group)}.params";

    public static string HyperparameterPrefix(int group) => $"groups.{Text(group)}.hyperparameters.";

    public static string ExtraPrefix(string participant) => $"extra.{participant}.";

    /// <summary>How an optimizer's type is recorded (and must match on load).</summary>
    public static string TypeName(Optimizer optimizer) => optimizer.GetType().FullName ?? optimizer.GetType().Name;

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shortest text that parses back to the same double ("R"): a float hyper-parameter survives exactly.</summary>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Participant names become key prefixes, so they may not contain the separator.</summary>
    public static void CheckParticipantNames(IDictionary<string, ICheckpointState> participants)
    {
        foreach (KeyValuePair<string, ICheckpointState> participant in participants)
        {
            string name = participant.Key;
            bool valid = name.Length > 0;
            foreach (char c in name)
            {
                valid &= char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
            }

            if (!valid)
            {
                throw new ArgumentException($"The participant name '{name}' must be letters, digits, '_' and '-'.", nameof(participants));
            }

            if (participant.Value is null)
            {
                throw new ArgumentException($"The participant '{name}' is null.", nameof(participants));
            }
        }
    }

    public static List<string> SortedNames(IDictionary<string, ICheckpointState> participants)
    {
        var names = new List<string>(participants.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}

/// <summary>Float data is little-endian in the file whatever the machine's order.</summary>
internal static class LittleEndian
{
    public static void Write(ReadOnlySpan<float> values, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.Slice(i * sizeof(float)), values.ItemAt(i));
        }
    }

    public static void Read(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values));
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float)));
        }
    }

    public static void Write(ReadOnlySpan<ushort> values, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.Slice(i * sizeof(ushort)), values.ItemAt(i));
        }
    }

    public static void Read(ReadOnlySpan<byte> bytes, Span<ushort> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values));
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * sizeof(ushort)));
        }
    }
}
