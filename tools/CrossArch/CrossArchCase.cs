using System;

namespace KernelGen.CrossArch;

/// <summary>
/// One case of the check: a name, the same on every machine, and a run on one kernel path that
/// returns the digest of what the optimizer holds after its steps. Every path a machine has must
/// give the same digest, and the digest must be the same on every machine.
/// </summary>
/// <param name="Name">Unique; no tab or line break (the digest files are tab-separated lines).</param>
/// <param name="Run">Builds its optimizer from scratch, steps it on the path, returns the digest.</param>
/// <param name="SameAs">The name of a case that must give the same digest on the same machine (a
/// resumed run must equal the uninterrupted one), or null.</param>
internal sealed record CrossArchCase(string Name, Func<KernelPath, ulong> Run, string? SameAs = null);
