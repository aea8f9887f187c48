using System;
using System.Collections.Generic;
using System.IO;

namespace KernelGen;

/// <summary>
/// What the objects that save themselves in a checkpoint of no optimizer groups share (LBFGS, the
/// parameter averages): their state as a participant under a name of their own, next to the
/// caller's participants, and vectors in that state as base64 of little-endian float32 (a
/// participant has string pairs only).
/// </summary>
internal static class CheckpointOwnState
{
    /// <summary>The caller's participants plus <paramref name="self"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">A participant of <paramref name="options"/> is already called <paramref name="name"/>.</exception>
    public static CheckpointOptions With(CheckpointOptions? options, string name, ICheckpointState self)
    {
        var combined = new CheckpointOptions();
        if (options is not null)
        {
            foreach (KeyValuePair<string, ICheckpointState> participant in options.Participants)
            {
                if (participant.Key == name)
                {
                    throw new ArgumentException($"The participant name '{name}' is the checkpointed object's own.", nameof(options));
                }

                combined.Participants[participant.Key] = participant.Value;
            }
        }

        combined.Participants[name] = self;
        return combined;
    }

    public static string Encode(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        LittleEndian.Write(values, bytes);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The <paramref name="length"/> floats that <paramref name="text"/> encodes; <paramref name="what"/> names it in the exception's message.</summary>
    /// <exception cref="InvalidDataException">The text is not base64 of exactly <paramref name="length"/> floats.</exception>
    public static float[] Decode(string text, int length, string what)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{what} is not base64.");
        }

        if (bytes.Length != length * sizeof(float))
        {
            throw new InvalidDataException($"{what} holds {bytes.Length / sizeof(float)} values, not {length}.");
        }

        var values = new float[length];
        LittleEndian.Read(bytes, values);

        return values;
    }
}
