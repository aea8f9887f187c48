using System;

namespace KernelGen.Conformance;

/// <summary>
/// Thrown by a scheduler or clipping factory when a case asks for something this library does
/// not have or cannot take (an unknown scheduler or argument, a value of the wrong kind). The
/// runner reports its message as the case's failure reason, as it is.
/// </summary>
public sealed class CaseSetupException : Exception
{
    /// <summary>Creates the exception with the reason a case cannot run.</summary>
    public CaseSetupException(string message)
        : base(message)
    {
    }
}
