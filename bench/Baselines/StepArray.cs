namespace KernelGen.Bench.Baselines;

/// <summary>How one step of an optimizer touches one of its per-element arrays.</summary>
public enum ArrayAccess
{
    /// <summary>Read, never written (the gradient).</summary>
    Read,

    /// <summary>Read and written back (the parameter and the state the step updates).</summary>
    ReadWrite,

    /// <summary>Written, never read (ASGD's average while it is a copy of the parameter).</summary>
    Write,
}

/// <summary>One per-element array a step touches, by the name the update rule gives it.</summary>
/// <param name="Name">The rule's name: its parameter, its gradient, or one of its state buffers.</param>
/// <param name="Access">Whether the step writes it back.</param>
public sealed record StepArray(string Name, ArrayAccess Access)
{
    /// <summary>The bytes a step moves for this array per float element: a read, plus a write when written back.</summary>
    public int BytesPerElement => Access == ArrayAccess.ReadWrite ? 2 * sizeof(float) : sizeof(float);

    /// <summary>The name with what the step does to it, as tables print it (<c>grad r</c>, <c>param rw</c>, <c>average w</c>).</summary>
    public override string ToString() => Access switch
    {
        ArrayAccess.ReadWrite => $"{Name} rw",
        ArrayAccess.Write => $"{Name} w",
        _ => $"{Name} r",
    };
}
