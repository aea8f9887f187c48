using System;
using System.Collections.Generic;
using System.IO;

namespace KernelGen;

/// <summary>
/// Saves and loads the full state of an <see cref="Optimizer"/> or of <see cref="ParameterGroups"/>
/// (every state buffer, step count, per-tensor state and hyper-parameter; optionally the
/// parameters and the state of other participants such as LR schedulers) as a safetensors file
/// that Python's <c>safetensors</c> reads. The layout, the names and what is checked are in
/// docs/checkpoints.md.
/// </summary>
/// <remarks>
/// <para>Loading checks everything (structure, format version, checksum, names, dtypes,
/// shapes, values) into temporary buffers before it changes the target: a refused checkpoint
/// changes nothing. Temporary buffers are as large as the target's state, so a load needs that
/// much memory again for a moment.</para>
/// <para>Do not step an optimizer while it is being saved: the data is read twice (once for the
/// checksum, once to write it) and a change in between is detected and refused.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The <c>format</c> metadata value of a KernelGen optimizer checkpoint.</summary>
    public const string Format = "kernelgen.optimizer";

    /// <summary>The format version this build writes and reads (<c>format_version</c>).</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes <paramref name="optimizer"/>'s state to <paramref name="destination"/> (left open).</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="options">Parameters and extra participants to include; none by default.</param>
    /// <exception cref="ArgumentException">A participant's name is not letters, digits, '_' and '-'; the stream is not writable.</exception>
    /// <exception cref="InvalidOperationException">The state changed while it was being written.</exception>
    public static void Save(Optimizer optimizer, Stream destination, CheckpointOptions? options = null) =>
        CheckpointWriter.Write(Single(optimizer), destination, options ?? new CheckpointOptions());

    /// <summary>Writes the state of every group to <paramref name="destination"/> (left open).</summary>
    /// <inheritdoc cref="Save(Optimizer, Stream, CheckpointOptions?)"/>
    public static void Save(ParameterGroups groups, Stream destination, CheckpointOptions? options = null) =>
        CheckpointWriter.Write(All(groups), destination, options ?? new CheckpointOptions());

    /// <summary>
    /// Writes <paramref name="optimizer"/>'s state to the file <paramref name="path"/> atomically:
    /// into a temporary file in the same folder, flushed to disk, then renamed over the target. A
    /// crash or an error leaves either the old file or the new one, never a torn one.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="options">Parameters and extra participants to include; none by default.</param>
    /// <exception cref="ArgumentException">A participant's name is not letters, digits, '_' and '-'.</exception>
    /// <exception cref="InvalidOperationException">The state changed while it was being written.</exception>
    /// <exception cref="IOException">The file could not be written; the old one is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the target file may not be written (a read-only file, missing permissions); the old one is untouched.</exception>
    public static void SaveFile(Optimizer optimizer, string path, CheckpointOptions? options = null) =>
        WriteFile(Single(optimizer), path, options ?? new CheckpointOptions());

    /// <summary>Writes the state of every group to the file <paramref name="path"/> atomically.</summary>
    /// <inheritdoc cref="SaveFile(Optimizer, string, CheckpointOptions?)"/>
    public static void SaveFile(ParameterGroups groups, string path, CheckpointOptions? options = null) =>
        WriteFile(All(groups), path, options ?? new CheckpointOptions());

    /// <summary>
    /// Restores <paramref name="optimizer"/>'s state from <paramref name="source"/>, reading exactly
    /// the checkpoint's bytes. The optimizer must have the same type and the same tensors
    /// registered, in the same order, with the same lengths.
    /// </summary>
    /// <param name="optimizer">The optimizer to restore.</param>
    /// <param name="source">A readable stream positioned at the checkpoint.</param>
    /// <param name="options">The same options the checkpoint was saved with.</param>
    /// <exception cref="CheckpointException">The checkpoint is refused (see <see cref="CheckpointException.Error"/>); nothing was changed.</exception>
    /// <exception cref="IOException">The stream failed; nothing was changed.</exception>
    public static void Load(Optimizer optimizer, Stream source, CheckpointOptions? options = null) =>
        CheckpointReader.Read(Single(optimizer), source, options ?? new CheckpointOptions(), wholeStream: false);

    /// <summary>Restores the state of every group from <paramref name="source"/>.</summary>
    /// <inheritdoc cref="Load(Optimizer, Stream, CheckpointOptions?)"/>
    public static void Load(ParameterGroups groups, Stream source, CheckpointOptions? options = null) =>
        CheckpointReader.Read(All(groups), source, options ?? new CheckpointOptions(), wholeStream: false);

    /// <summary>Restores <paramref name="optimizer"/>'s state from the file <paramref name="path"/>, which must hold the checkpoint and nothing else.</summary>
    /// <inheritdoc cref="Load(Optimizer, Stream, CheckpointOptions?)"/>
    public static void LoadFile(Optimizer optimizer, string path, CheckpointOptions? options = null) =>
        ReadFile(Single(optimizer), path, options ?? new CheckpointOptions());

    /// <summary>Restores the state of every group from the file <paramref name="path"/>, which must hold the checkpoint and nothing else.</summary>
    /// <inheritdoc cref="Load(Optimizer, Stream, CheckpointOptions?)"/>
    public static void LoadFile(ParameterGroups groups, string path, CheckpointOptions? options = null) =>
        ReadFile(All(groups), path, options ?? new CheckpointOptions());

    /// <summary>
    /// Writes a <see cref="Lookahead"/>'s state to <paramref name="destination"/> (left open): the
    /// inner optimizer's, and per tensor its slow weights (<c>state.K.lookahead_slow_param</c>),
    /// with the counter and settings (<c>groups.0.lookahead.*</c>).
    /// </summary>
    /// <inheritdoc cref="Save(Optimizer, Stream, CheckpointOptions?)"/>
    public static void Save(Lookahead lookahead, Stream destination, CheckpointOptions? options = null) =>
        CheckpointWriter.Write(Inner(lookahead), destination, options ?? new CheckpointOptions(), lookahead.CheckpointCompanion);

    /// <summary>Writes a <see cref="Lookahead"/>'s state to the file <paramref name="path"/> atomically.</summary>
    /// <inheritdoc cref="SaveFile(Optimizer, string, CheckpointOptions?)"/>
    public static void SaveFile(Lookahead lookahead, string path, CheckpointOptions? options = null) =>
        WriteFile(Inner(lookahead), path, options ?? new CheckpointOptions(), lookahead.CheckpointCompanion);

    /// <summary>Restores a <see cref="Lookahead"/>'s state (inner optimizer, slow weights, counter, settings) from <paramref name="source"/>.</summary>
    /// <inheritdoc cref="Load(Optimizer, Stream, CheckpointOptions?)"/>
    public static void Load(Lookahead lookahead, Stream source, CheckpointOptions? options = null) =>
        CheckpointReader.Read(Inner(lookahead), source, options ?? new CheckpointOptions(), wholeStream: false, lookahead.CheckpointCompanion);

    /// <summary>Restores a <see cref="Lookahead"/>'s state from the file <paramref name="path"/>, which must hold the checkpoint and nothing else.</summary>
    /// <inheritdoc cref="Load(Optimizer, Stream, CheckpointOptions?)"/>
    public static void LoadFile(Lookahead lookahead, string path, CheckpointOptions? options = null) =>
        ReadFile(Inner(lookahead), path, options ?? new CheckpointOptions(), lookahead.CheckpointCompanion);

    private static Optimizer[] Inner(Lookahead lookahead)
    {
        ArgumentNullException.ThrowIfNull(lookahead);

        // Every inner tensor needs its slow weights before they can be saved or loaded.
        lookahead.AdoptTensorsForCheckpoint();
        return new[] { lookahead.Inner };
    }

    private static Optimizer[] Single(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return new[] { optimizer };
    }

    private static IReadOnlyList<Optimizer> All(ParameterGroups groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return groups.Groups;
    }

    private static void WriteFile(IReadOnlyList<Optimizer> groups, string path, CheckpointOptions options, ICheckpointCompanion? wrapper = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string target = System.IO.Path.GetFullPath(path);
        string folder = System.IO.Path.GetDirectoryName(target) ?? throw new ArgumentException("The path names no file.", nameof(path));

        // Same folder, so the rename stays on one file system and is atomic; a unique name, so
        // two writers never share a temporary file; a fixed length, so any name the file system
        // takes for the target also leaves room for it.
        string temporary = System.IO.Path.Combine(folder, $".kernelgen-{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                CheckpointWriter.Write(groups, file, options, wrapper);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more; a stray temporary file is named so it is recognisable.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void ReadFile(IReadOnlyList<Optimizer> groups, string path, CheckpointOptions options, ICheckpointCompanion? wrapper = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        CheckpointReader.Read(groups, file, options, wholeStream: true, wrapper);
    }
}
