using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// Reads a checkpoint in an order that makes a refusal cheap and side-effect free: structure
/// (no trust in any length), format and version, then the data into temporary buffers under the
/// checksum, then the fit to the target, then the values; only then is the target changed.
/// </summary>
internal static class CheckpointReader
{
    /// <summary>At most this many differences are listed in a mismatch message.</summary>
    private const int ListedDifferences = 10;

    public static void Read(IReadOnlyList<Optimizer> groups, Stream source, CheckpointOptions options, bool wholeStream, ICheckpointCompanion? wrapper = null)
    {
        // A load changes the optimizers: no step or Add may run on them meanwhile.
        int entered = 0;
        try
        {
            for (; entered < groups.Count; entered++)
            {
                groups[entered].EnterCall(OptimizerCall.Load);
            }

            ReadEntered(groups, source, options, wholeStream, wrapper);
        }
        finally
        {
            for (int g = 0; g < entered; g++)
            {
                groups[g].ExitCall();
            }
        }
    }

    private static void ReadEntered(IReadOnlyList<Optimizer> groups, Stream source, CheckpointOptions options, bool wholeStream, ICheckpointCompanion? wrapper)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(source));
        }

        CheckpointMetadata.CheckParticipantNames(options.Participants);

        // A seekable stream says how much it holds, so lengths that exceed it are refused before
        // anything is allocated; any other stream is read only as far as the header claims and
        // buffers grow only with the bytes that actually arrive.
        long? available = source.CanSeek ? source.Length - source.Position : null;

        byte[] prefix = new byte[sizeof(ulong)];
        ReadExactly(source, prefix, "the header length");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > SafetensorsHeader.MaximumLength)
        {
            throw new CheckpointException(CheckpointError.MalformedHeader,
                $"The header length is {declared} bytes, more than the {SafetensorsHeader.MaximumLength} a header may have: this is not a checkpoint, or a damaged one.");
        }

        int headerLength = (int)declared;
        if (available is long total && headerLength > total - prefix.Length)
        {
            throw Truncated($"the header length is {headerLength} bytes but only {total - prefix.Length} follow it");
        }

        byte[] header = ReadHeader(source, headerLength);
        SafetensorsHeader parsed = SafetensorsHeader.Parse(header);
        if (parsed.DataLength > long.MaxValue - prefix.Length - headerLength)
        {
            throw new CheckpointException(CheckpointError.MalformedHeader, $"The header declares {parsed.DataLength} bytes of data, more than any file holds.");
        }

        long end = prefix.Length + headerLength + parsed.DataLength;
        if (available is long size)
        {
            if (end > size)
            {
                throw Truncated($"the header declares {parsed.DataLength} bytes of data but only {size - prefix.Length - headerLength} follow it");
            }

            if (wholeStream && end < size)
            {
                throw new CheckpointException(CheckpointError.Corrupt, $"{size - end} bytes follow the data the header declares.");
            }
        }

        uint expectedChecksum = CheckFormat(parsed, header);
        var layout = CheckpointLayout.Build(groups, options.IncludeParameters, wrapper);
        var staged = new Staged(layout);
        var checksum = new Crc32C();
        checksum.Append(prefix);
        checksum.Append(header);
        ReadData(source, parsed, staged, ref checksum);
        if (checksum.Value != expectedChecksum)
        {
            throw new CheckpointException(CheckpointError.Corrupt,
                $"The checksum is {checksum.Value:x8} but the header records {expectedChecksum:x8}: the file is damaged (a flipped bit, a torn or partial write).");
        }

        CheckFit(parsed, layout, staged, options);
        double[][] hyperparameters = ParseValues(parsed, layout, staged);
        List<Action> commits = PrepareCompanions(parsed, layout);
        commits.AddRange(PrepareParticipants(parsed, options));

        // Everything is checked. The hyper-parameters go first: they are the only part whose
        // setting can still be refused (range and option checks), and that is rolled back.
        ApplyHyperparameters(layout.Groups, hyperparameters);
        staged.Commit();
        foreach (Action commit in commits)
        {
            commit();
        }
    }

    /// <summary>Checks <c>format</c> and <c>format_version</c>, and zeroes the checksum's digits in the header so the header can be checksummed as it was written.</summary>
    private static uint CheckFormat(SafetensorsHeader parsed, byte[] header)
    {
        IReadOnlyDictionary<string, string> metadata = parsed.Metadata;
        if (!metadata.TryGetValue(CheckpointMetadata.Format, out string? format) || format != Checkpoint.Format)
        {
            throw new CheckpointException(CheckpointError.UnsupportedFormat,
                $"This safetensors file is not a KernelGen optimizer checkpoint: its metadata 'format' is {(format is null ? "missing" : $"'{format}'")}, not '{Checkpoint.Format}'.");
        }

        string version = Required(metadata, CheckpointMetadata.Version);
        if (version != CheckpointMetadata.Text(Checkpoint.FormatVersion))
        {
            throw new CheckpointException(CheckpointError.UnsupportedFormat,
                $"The checkpoint has format version '{version}'; this build reads version {Checkpoint.FormatVersion}.");
        }

        string text = Required(metadata, CheckpointMetadata.Checksum);
        int at = parsed.MetadataValueOffset(CheckpointMetadata.Checksum);
        string digits = text.StartsWith(CheckpointMetadata.ChecksumPrefix, StringComparison.Ordinal) ? text.Substring(CheckpointMetadata.ChecksumPrefix.Length) : "";
        if (at < 0 || digits.Length != CheckpointMetadata.ChecksumDigits || !digits.All(static c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            throw new CheckpointException(CheckpointError.MalformedHeader,
                $"The checksum '{text}' is not '{CheckpointMetadata.ChecksumPrefix}' and {CheckpointMetadata.ChecksumDigits} lowercase hex digits, written without escapes.");
        }

        header.AsSpan(at + CheckpointMetadata.ChecksumPrefix.Length, CheckpointMetadata.ChecksumDigits).Fill((byte)'0');
        return uint.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Reads the whole data section in order, under the checksum. A tensor that fits the target
    /// (same name, dtype, shape) goes to a temporary buffer the size of the target's own state;
    /// anything else is read through a fixed chunk and dropped, so a header can make the reader
    /// allocate no more than the target needs.
    /// </summary>
    private static void ReadData(Stream source, SafetensorsHeader parsed, Staged staged, ref Crc32C checksum)
    {
        byte[] buffer = new byte[CheckpointWriter.ChunkBytes];
        foreach (TensorEntry entry in parsed.Tensors)
        {
            if (staged.TryFindDequantized(entry, out int target, out bool scales))
            {
                // An 8-bit state for a float32 state: staged as saved, dequantized once everything is checked.
                if (scales)
                {
                    staged.DequantizedScales[target] = ReadFloats(source, entry, buffer, ref checksum);
                }
                else
                {
                    staged.Codes[target] = ReadBytes(source, entry, buffer, ref checksum);
                }

                staged.Present[target] = staged.Codes[target] is not null && staged.DequantizedScales[target] is not null;
                continue;
            }

            if (!staged.TryFind(entry, out int index))
            {
                for (long left = entry.ByteLength; left > 0;)
                {
                    Span<byte> chunk = buffer.AsSpan(0, (int)Math.Min(left, buffer.Length));
                    ReadExactly(source, chunk, $"'{entry.Name}'");
                    checksum.Append(chunk);
                    left -= chunk.Length;
                }

                continue;
            }

            Slot slot = staged.Layout.Slots[index];
            if (slot.Kind == SlotKind.QuantizedCodes)
            {
                staged.Codes[index] = ReadBytes(source, entry, buffer, ref checksum);
            }
            else if (slot.IsVector)
            {
                staged.Vectors[index] = ReadVector(source, entry, slot, buffer, ref checksum);
            }
            else
            {
                Span<byte> chunk = buffer.AsSpan(0, (int)slot.ByteLength);
                ReadExactly(source, chunk, $"'{entry.Name}'");
                checksum.Append(chunk);
                if (slot.Kind == SlotKind.Step)
                {
                    staged.Steps[index] = BinaryPrimitives.ReadInt64LittleEndian(chunk);
                }
                else
                {
                    staged.TensorStates[index] = BinaryPrimitives.ReadSingleLittleEndian(chunk);
                }
            }

            staged.Present[index] = true;
        }
    }

    /// <summary>Reads an F32 entry (its shape checked to be [n]) under the checksum.</summary>
    private static float[] ReadFloats(Stream source, TensorEntry entry, byte[] buffer, ref Crc32C checksum)
    {
        float[] values = new float[entry.Shape[0]];
        int perChunk = buffer.Length / sizeof(float);
        for (int start = 0; start < values.Length; start += perChunk)
        {
            int count = Math.Min(perChunk, values.Length - start);
            Span<byte> chunk = buffer.AsSpan(0, count * sizeof(float));
            ReadExactly(source, chunk, $"'{entry.Name}'");
            checksum.Append(chunk);
            LittleEndian.Read(chunk, values.AsSpan(start, count));
        }

        return values;
    }

    /// <summary>Reads a U8 entry (its shape checked to be [n]) under the checksum.</summary>
    private static byte[] ReadBytes(Stream source, TensorEntry entry, byte[] buffer, ref Crc32C checksum)
    {
        byte[] values = new byte[entry.Shape[0]];
        for (int start = 0; start < values.Length; start += buffer.Length)
        {
            Span<byte> chunk = values.AsSpan(start, Math.Min(buffer.Length, values.Length - start));
            ReadExactly(source, chunk, $"'{entry.Name}'");
            checksum.Append(chunk);
        }

        return values;
    }

    /// <summary>
    /// A vector entry's values: float32 as float[], 16-bit as its bit patterns (ushort[]), or, for a
    /// 16-bit entry loaded into a float32 slot, widened (exact) into float[].
    /// </summary>
    private static Array ReadVector(Stream source, TensorEntry entry, Slot slot, byte[] buffer, ref Crc32C checksum)
    {
        StateStorage stored = StorageOf(entry.DType);
        float[]? values = slot.Storage == StateStorage.Float32 ? new float[slot.Length] : null;
        ushort[]? bits = stored == StateStorage.Float32 ? null : new ushort[slot.Length];
        int size = stored == StateStorage.Float32 ? sizeof(float) : sizeof(ushort);
        int perChunk = buffer.Length / size;
        for (int start = 0; start < slot.Length; start += perChunk)
        {
            int count = Math.Min(perChunk, slot.Length - start);
            Span<byte> chunk = buffer.AsSpan(0, count * size);
            ReadExactly(source, chunk, $"'{entry.Name}'");
            checksum.Append(chunk);
            if (bits is null)
            {
                LittleEndian.Read(chunk, values.AsSpan(start, count));
            }
            else
            {
                LittleEndian.Read(chunk, bits.AsSpan(start, count));
            }
        }

        if (bits is not null && values is not null)
        {
            StorageConversion.Widen(stored, bits, values, KernelPath.Scalar);
        }

        return (Array?)values ?? bits!;
    }

    /// <summary>The storage type of a vector dtype this reader loads.</summary>
    private static StateStorage StorageOf(string dtype) => dtype switch
    {
        "BF16" => StateStorage.BFloat16,
        "F16" => StateStorage.Float16,
        _ => StateStorage.Float32,
    };

    /// <summary>Whether a saved vector of <paramref name="saved"/> loads into a slot of <paramref name="target"/> without losing anything: the same dtype, or a 16-bit type into float32.</summary>
    private static bool LoadsLosslessly(string saved, string target) =>
        saved == target || (target == "F32" && saved is "BF16" or "F16");

    /// <summary>Compares the checkpoint with the target and lists every difference in one exception.</summary>
    private static void CheckFit(SafetensorsHeader parsed, CheckpointLayout layout, Staged staged, CheckpointOptions options)
    {
        IReadOnlyDictionary<string, string> metadata = parsed.Metadata;
        var differences = new List<string>();
        int groupCount = RequiredInt(metadata, CheckpointMetadata.GroupCount);
        if (groupCount != layout.Groups.Count)
        {
            differences.Add($"the checkpoint has {groupCount} parameter group(s), the target {layout.Groups.Count}");
        }
        else
        {
            for (int g = 0; g < groupCount; g++)
            {
                Optimizer optimizer = layout.Groups[g];
                string type = Required(metadata, CheckpointMetadata.OptimizerKey(g));
                bool sameType = type == CheckpointMetadata.TypeName(optimizer);
                if (!sameType)
                {
                    differences.Add($"group {g} is {type} in the checkpoint but {CheckpointMetadata.TypeName(optimizer)} in the target");
                }

                string tensors = Required(metadata, CheckpointMetadata.ParametersKey(g));
                if (tensors != layout.ParameterIndices(g))
                {
                    differences.Add($"group {g} holds tensors [{tensors}] in the checkpoint but [{layout.ParameterIndices(g)}] in the target");
                }

                string prefix = CheckpointMetadata.HyperparameterPrefix(g);
                var saved = new HashSet<string>(
                    metadata.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k.Substring(prefix.Length)),
                    StringComparer.Ordinal);
                if (!sameType)
                {
                    continue; // other hyper-parameters follow from another type: listing them would hide the rest
                }

                foreach (string name in optimizer.HyperparameterNames)
                {
                    if (!saved.Remove(name))
                    {
                        differences.Add($"group {g} has no value for the hyper-parameter {name}");
                    }
                }

                foreach (string name in saved.Order(StringComparer.Ordinal))
                {
                    differences.Add($"group {g} has the hyper-parameter {name}, which {optimizer.GetType().Name} does not");
                }
            }
        }

        int tensorCount = RequiredInt(metadata, CheckpointMetadata.TensorCount);
        if (tensorCount != layout.TensorCount)
        {
            differences.Add($"the checkpoint has {tensorCount} tensor(s), the target {layout.TensorCount}");
        }

        if (options.IncludeParameters && Required(metadata, CheckpointMetadata.Parameters) != "true")
        {
            differences.Add("the checkpoint holds no parameter values (it was saved without IncludeParameters)");
        }

        var entries = parsed.Tensors.ToDictionary(static e => e.Name, StringComparer.Ordinal);
        for (int i = 0; i < layout.Slots.Count; i++)
        {
            Slot slot = layout.Slots[i];
            if (staged.Present[i])
            {
                continue;
            }

            if (slot.Kind == SlotKind.QuantizedScales && entries.TryGetValue(layout.Slots[i - 1].Name, out TensorEntry? floats) && floats.DType == "F32")
            {
                continue; // said with its codes
            }

            differences.Add(entries.TryGetValue(slot.Name, out TensorEntry? entry)
                ? slot.Kind == SlotKind.QuantizedCodes && entry.DType == "F32"
                    ? $"'{slot.Name}' holds float32 values in the checkpoint but the target stores that state in 8 bits: quantizing would lose what the checkpoint keeps, so it is refused (load it into an optimizer with StateStorage.Float32)"
                    : slot.Kind == SlotKind.State && staged.Codes[i] is not null
                        ? $"'{slot.Name}' holds 8-bit codes in the checkpoint without its scales '{CheckpointLayout.ScalesName(slot.Name)}' as F32 [{(slot.Length + DynamicQuantizationMap.BlockLength - 1) / DynamicQuantizationMap.BlockLength}]"
                        : $"'{slot.Name}' is {Describe(entry.DType, entry.Shape)} in the checkpoint but {Describe(slot.DType, slot.Shape)} in the target{LossyNote(entry, slot)}"
                : $"'{slot.Name}' is missing");
        }

        var expected = new HashSet<string>(layout.Slots.Select(static s => s.Name), StringComparer.Ordinal);
        foreach (int index in staged.DequantizedStates)
        {
            expected.Add(CheckpointLayout.ScalesName(layout.Slots[index].Name));
        }

        foreach (TensorEntry entry in parsed.Tensors)
        {
            // Saved parameters are skipped, not refused, when the caller did not ask for them.
            bool skippedParameter = !options.IncludeParameters && entry.Name.StartsWith("param.", StringComparison.Ordinal);
            if (!expected.Contains(entry.Name) && !skippedParameter)
            {
                differences.Add($"the checkpoint has '{entry.Name}', which the target does not");
            }
        }

        string extras = Required(metadata, CheckpointMetadata.Extras);
        var savedExtras = new HashSet<string>(extras.Length == 0 ? Array.Empty<string>() : extras.Split(','), StringComparer.Ordinal);
        foreach (string name in CheckpointMetadata.SortedNames(options.Participants))
        {
            if (!savedExtras.Remove(name))
            {
                differences.Add($"the checkpoint holds no state for the participant '{name}'");
            }
        }

        foreach (string name in savedExtras.Order(StringComparer.Ordinal))
        {
            differences.Add($"the checkpoint holds state for the participant '{name}', which was not given");
        }

        if (differences.Count > 0)
        {
            string listed = string.Join("; ", differences.Take(ListedDifferences));
            string more = differences.Count > ListedDifferences ? $"; and {differences.Count - ListedDifferences} more" : "";
            throw new CheckpointException(CheckpointError.Mismatch, $"The checkpoint does not fit the target: {listed}{more}.");
        }
    }

    /// <summary>Checks the step counts and parses the hyper-parameters, per group in <see cref="Optimizer.HyperparameterNames"/> order.</summary>
    private static double[][] ParseValues(SafetensorsHeader parsed, CheckpointLayout layout, Staged staged)
    {
        for (int i = 0; i < layout.Slots.Count; i++)
        {
            long step = staged.Steps[i];
            // int.MaxValue itself is refused: the next step would overflow the count (Optimizer.Step refuses it too).
            if (layout.Slots[i].Kind == SlotKind.Step && (step < 0 || step >= int.MaxValue))
            {
                throw new CheckpointException(CheckpointError.InvalidValue,
                    $"'{layout.Slots[i].Name}' is {step}; a step count that can still be stepped lies in [0, {int.MaxValue - 1}].");
            }
        }

        var values = new double[layout.Groups.Count][];
        for (int g = 0; g < values.Length; g++)
        {
            IReadOnlyList<string> names = layout.Groups[g].HyperparameterNames;
            values[g] = new double[names.Count];
            for (int h = 0; h < names.Count; h++)
            {
                string key = CheckpointMetadata.HyperparameterPrefix(g) + names[h];
                if (!CheckpointMetadata.TryParse(parsed.Metadata[key], out values[g][h]))
                {
                    throw new CheckpointException(CheckpointError.InvalidValue, $"'{key}' is '{parsed.Metadata[key]}', not a number.");
                }
            }
        }

        return values;
    }

    private static List<Action> PrepareParticipants(SafetensorsHeader parsed, CheckpointOptions options)
    {
        var commits = new List<Action>();
        foreach (string name in CheckpointMetadata.SortedNames(options.Participants))
        {
            commits.Add(Prepare(parsed, CheckpointMetadata.ExtraPrefix(name), options.Participants[name], $"The participant '{name}'"));
        }

        return commits;
    }

    private static List<Action> PrepareCompanions(SafetensorsHeader parsed, CheckpointLayout layout)
    {
        var commits = new List<Action>();
        for (int g = 0; g < layout.Groups.Count; g++)
        {
            foreach (ICheckpointCompanion companion in layout.Companions[g])
            {
                commits.Add(Prepare(parsed, CheckpointLayout.CompanionPrefix(g, companion), companion, $"Group {g}'s {companion.CompanionName} state"));
            }
        }

        return commits;
    }

    /// <summary>Hands <paramref name="participant"/> the pairs saved under <paramref name="prefix"/>; returns its commit or refuses the checkpoint.</summary>
    private static Action Prepare(SafetensorsHeader parsed, string prefix, ICheckpointState participant, string who)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> pair in parsed.Metadata)
        {
            if (pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                state[pair.Key.Substring(prefix.Length)] = pair.Value;
            }
        }

        try
        {
            return participant.PrepareLoad(state) ?? throw new InvalidOperationException("PrepareLoad returned no commit.");
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException(CheckpointError.InvalidValue, $"{who} refused its saved state: {e.Message}", e);
        }
    }

    /// <summary>
    /// Sets every group's hyper-parameters and runs its checks; if any value is refused, puts
    /// every group back as it was (values read from the optimizers themselves, so they set back
    /// without error) and refuses the checkpoint.
    /// </summary>
    private static void ApplyHyperparameters(IReadOnlyList<Optimizer> groups, double[][] values)
    {
        var previous = new double[groups.Count][];
        for (int g = 0; g < groups.Count; g++)
        {
            IReadOnlyList<string> names = groups[g].HyperparameterNames;
            previous[g] = new double[names.Count];
            for (int h = 0; h < names.Count; h++)
            {
                groups[g].TryGetHyperparameter(names[h], out previous[g][h]);
            }
        }

        try
        {
            Set(values);
            foreach (Optimizer optimizer in groups)
            {
                optimizer.Validate();
            }
        }
        catch (Exception e)
        {
            // The built-ins throw ArgumentException; a user's ValidateOptions may throw anything.
            Set(previous);
            throw new CheckpointException(CheckpointError.InvalidValue, $"The checkpoint's hyper-parameters are refused: {e.Message}", e);
        }

        void Set(double[][] source)
        {
            for (int g = 0; g < groups.Count; g++)
            {
                IReadOnlyList<string> names = groups[g].HyperparameterNames;
                for (int h = 0; h < names.Count; h++)
                {
                    groups[g].TrySetHyperparameter(names[h], source[g][h]);
                }
            }
        }
    }

    private static byte[] ReadHeader(Stream source, int length)
    {
        if (source.CanSeek)
        {
            // The stream was checked to hold this many bytes.
            byte[] header = new byte[length];
            ReadExactly(source, header, "the header");
            return header;
        }

        byte[] buffer = new byte[Math.Min(length, CheckpointWriter.ChunkBytes)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, buffer.Length * 2L));
            }

            int read = source.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw Truncated($"the stream ends {filled} bytes into a {length}-byte header");
            }

            filled += read;
        }

        return buffer;
    }

    private static void ReadExactly(Stream source, Span<byte> buffer, string what)
    {
        int read = source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw Truncated($"the stream ends inside {what}");
        }
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? value)
            ? value
            : throw new CheckpointException(CheckpointError.UnsupportedFormat, $"The checkpoint's metadata lacks '{key}'.");

    private static int RequiredInt(IReadOnlyDictionary<string, string> metadata, string key)
    {
        string text = Required(metadata, key);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new CheckpointException(CheckpointError.InvalidValue, $"The checkpoint's '{key}' is '{text}', not a count.");
    }

    /// <summary>Why a vector of another storage type is refused: converting it would round.</summary>
    private static string LossyNote(TensorEntry entry, Slot slot) =>
        slot.IsVector && entry.DType is "F32" or "BF16" or "F16" && entry.DType != slot.DType
            ? $" (loading {entry.DType} into {slot.DType} would round values: only BF16 or F16 into F32 converts, exactly)"
            : "";

    private static string Describe(string dtype, long[] shape) => $"{dtype} [{string.Join(", ", shape)}]";

    private static CheckpointException Truncated(string what) =>
        new(CheckpointError.Truncated, $"The checkpoint is truncated: {what}.");

    /// <summary>The values read for each slot of the layout, held until everything has been checked.</summary>
    private sealed class Staged
    {
        private readonly Dictionary<string, int> _indices = new(StringComparer.Ordinal);

        public Staged(CheckpointLayout layout)
        {
            Layout = layout;
            for (int i = 0; i < layout.Slots.Count; i++)
            {
                _indices[layout.Slots[i].Name] = i;
            }

            Vectors = new Array?[layout.Slots.Count];
            Codes = new byte[]?[layout.Slots.Count];
            DequantizedScales = new float[]?[layout.Slots.Count];
            Steps = new long[layout.Slots.Count];
            TensorStates = new float[layout.Slots.Count];
            Present = new bool[layout.Slots.Count];
        }

        public CheckpointLayout Layout { get; }

        /// <summary>The values of each vector slot: float[] for a float32 slot, the bit patterns (ushort[]) for a 16-bit one.</summary>
        public Array?[] Vectors { get; }

        /// <summary>The codes of each 8-bit state: for a codes slot, or for a float32 state that loads them dequantized.</summary>
        public byte[]?[] Codes { get; }

        /// <summary>The scales of an 8-bit state a float32 state slot loads dequantized (a codes slot's scales are in the next slot's <see cref="Vectors"/>).</summary>
        public float[]?[] DequantizedScales { get; }

        /// <summary>The float32 state slots that load 8-bit codes and scales, once both are read.</summary>
        public IEnumerable<int> DequantizedStates
        {
            get
            {
                for (int i = 0; i < Codes.Length; i++)
                {
                    if (Layout.Slots[i].Kind == SlotKind.State && Codes[i] is not null && DequantizedScales[i] is not null)
                    {
                        yield return i;
                    }
                }
            }
        }

        /// <summary>The step count of each step slot.</summary>
        public long[] Steps { get; }

        /// <summary>The value of each tensor-state slot.</summary>
        public float[] TensorStates { get; }

        public bool[] Present { get; }

        /// <summary>
        /// Finds the float32 state slot an 8-bit state's entry fills, dequantized (lossless: each
        /// value is a map value times its scale): the codes, U8 of the state's shape, or the
        /// scales, F32 with one per block, saved under the state's name with <c>_absmax</c>.
        /// </summary>
        public bool TryFindDequantized(TensorEntry entry, out int index, out bool scales)
        {
            scales = entry.Name.EndsWith("_absmax", StringComparison.Ordinal);
            string name = scales ? entry.Name.Substring(0, entry.Name.Length - "_absmax".Length) : entry.Name;
            if (!_indices.TryGetValue(name, out index) || Layout.Slots[index] is not { Kind: SlotKind.State, Map: not null, Storage: StateStorage.Float32 } slot || entry.Shape.Length != 1)
            {
                return false;
            }

            long blocks = (slot.Length + DynamicQuantizationMap.BlockLength - 1) / DynamicQuantizationMap.BlockLength;
            return scales ? entry.DType == "F32" && entry.Shape[0] == blocks : entry.DType == "U8" && entry.Shape[0] == slot.Length;
        }

        /// <summary>Finds the slot an entry fills: same name and shape, and the same dtype (a vector: one that loads losslessly).</summary>
        public bool TryFind(TensorEntry entry, out int index) =>
            _indices.TryGetValue(entry.Name, out index)
            && (Layout.Slots[index].IsVector ? LoadsLosslessly(entry.DType, Layout.Slots[index].DType) : entry.DType == Layout.Slots[index].DType)
            && entry.Shape.AsSpan().SequenceEqual(Layout.Slots[index].Shape);

        /// <summary>Copies every staged value into the optimizers. Cannot fail: every slot was checked present.</summary>
        public void Commit()
        {
            for (int i = 0; i < Layout.Slots.Count; i++)
            {
                Slot slot = Layout.Slots[i];
                switch (slot.Kind)
                {
                    case SlotKind.State when Codes[i] is { } codes:
                        QuantizedBuffer.Dequantize(slot.Map!, codes, DequantizedScales[i], slot.Values);
                        break;
                    case SlotKind.State or SlotKind.Parameter:
                        if (Vectors[i] is float[] values)
                        {
                            values.CopyTo(slot.Values);
                        }
                        else
                        {
                            ((ushort[])Vectors[i]!).CopyTo(slot.Bits);
                        }

                        break;
                    case SlotKind.QuantizedCodes:
                        slot.Quantized.Load(Codes[i], (float[]?)Vectors[i + 1]);
                        break;
                    case SlotKind.QuantizedScales:
                        break; // loaded with its codes

                    case SlotKind.TensorState:
                        slot.TensorState = TensorStates[i];
                        break;
                    default:
                        slot.Step = (int)Steps[i];
                        break;
                }
            }
        }
    }
}
