using System;

namespace KernelGen;

/// <summary>Why a checkpoint was refused.</summary>
public enum CheckpointError
{
    /// <summary>The stream or file ended before the checkpoint did.</summary>
    Truncated,

    /// <summary>
    /// The checksum does not match the bytes (a flipped bit, a torn write), or bytes follow the
    /// data the header declares.
    /// </summary>
    Corrupt,

    /// <summary>
    /// The header is not a well-formed safetensors header: an impossible header length, invalid or
    /// too deeply nested JSON, a duplicate key, an unknown dtype, a shape that does not match the
    /// byte range, offsets outside the data, overlapping or unordered tensors.
    /// </summary>
    MalformedHeader,

    /// <summary>A safetensors file that is not a KernelGen optimizer checkpoint, or one of a format version this build does not read.</summary>
    UnsupportedFormat,

    /// <summary>
    /// A sound checkpoint that does not fit the target: another optimizer type, another number of
    /// groups or tensors, a missing or unexpected tensor, another shape or dtype, other
    /// hyper-parameter names, other extra participants.
    /// </summary>
    Mismatch,

    /// <summary>
    /// A sound, fitting checkpoint holding a value the target refuses: a hyper-parameter out of
    /// its range, a step count outside [0, int.MaxValue], state an extra participant refuses.
    /// </summary>
    InvalidValue,
}

/// <summary>
/// A checkpoint was refused. When loading, nothing in the target (optimizer, groups,
/// participants) was changed.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Why the checkpoint was refused.</param>
    /// <param name="message">What differed or was wrong, naming the tensor, key or value.</param>
    /// <param name="innerException">The cause, if another exception was.</param>
    public CheckpointException(CheckpointError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Why the checkpoint was refused.</summary>
    public CheckpointError Error { get; }
}
