using System;
using System.Collections.Generic;

namespace KernelGen;

/// <summary>What a checkpoint holds beyond the optimizer state; give the same options to save and to load.</summary>
public sealed class CheckpointOptions
{
    /// <summary>
    /// Saving: also write the parameter values (<c>param.K</c>), so the model and its optimizer
    /// state are one atomic file and cannot be restored from different steps. Loading: restore
    /// them into the registered parameter memory; the checkpoint must hold them. When
    /// <see langword="false"/>, loading leaves the parameters alone even if the file holds them.
    /// </summary>
    public bool IncludeParameters { get; set; }

    /// <summary>
    /// Other objects whose state is saved and loaded with the optimizer's, by name (letters,
    /// digits, '_' and '-'). Loading requires exactly the names that were saved.
    /// </summary>
    public IDictionary<string, ICheckpointState> Participants { get; } = new Dictionary<string, ICheckpointState>(StringComparer.Ordinal);
}
