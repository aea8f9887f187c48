using System;
using System.Collections.Generic;

namespace KernelGen;

/// <summary>
/// State owned by another object (an LR scheduler, a loss scaler, a data cursor) that is saved
/// in the same checkpoint as the optimizer, so the two can never be restored from different
/// moments. Pass implementations in <see cref="CheckpointOptions.Participants"/> under a name.
/// </summary>
/// <remarks>
/// Loading is in two phases so that a refused checkpoint changes nothing anywhere:
/// <see cref="PrepareLoad"/> parses and validates without changing anything and returns the
/// commit, which runs only once the whole checkpoint (every tensor, every participant) has been
/// accepted, and must not fail.
/// </remarks>
public interface ICheckpointState
{
    /// <summary>Writes the state as string pairs (keys are local to this participant; values as the invariant culture writes them).</summary>
    /// <param name="state">Where to write; empty when called.</param>
    void Save(IDictionary<string, string> state);

    /// <summary>
    /// Parses and validates what <see cref="Save"/> wrote, changing nothing, and returns the
    /// action that applies it. Throw (any exception) to refuse the checkpoint: the load fails with
    /// <see cref="CheckpointError.InvalidValue"/> and that exception as its inner exception.
    /// </summary>
    /// <param name="state">The pairs saved for this participant.</param>
    /// <returns>The commit: applies the parsed state and does not throw.</returns>
    Action PrepareLoad(IReadOnlyDictionary<string, string> state);
}
