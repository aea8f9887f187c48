using System;

namespace KernelGen;

/// <summary>
/// State saved with an optimizer in its own checkpoint group: settings and counters as metadata
/// (<c>groups.G.NAME.key</c>) and, per tensor of the optimizer, entries of its own
/// (<c>state.K.NAME_entry</c>). The schedule-free train/eval mode and Lookahead's slow weights
/// and counter are companions; loading prepares and commits them as participants are.
/// </summary>
internal interface ICheckpointCompanion : ICheckpointState
{
    /// <summary>The name the companion's metadata and entries carry (snake_case).</summary>
    string CompanionName { get; }

    /// <summary>Adds the entries of the optimizer's tensor <paramref name="tensor"/>, each named <paramref name="prefix"/> and the entry's name.</summary>
    void AddSlots(int tensor, string prefix, Action<Slot> add);
}
