namespace KernelGen.Conformance;

/// <summary>The verdict on one case.</summary>
/// <param name="Name">The case's name.</param>
/// <param name="FailureReason">What differed or went wrong; <see langword="null"/> when the case passed.</param>
public sealed record CaseResult(string Name, string? FailureReason)
{
    /// <summary>Whether the case passed.</summary>
    public bool Passed => FailureReason is null;

    /// <summary>A passing result.</summary>
    public static CaseResult Pass(string name) => new(name, null);

    /// <summary>A failing result with its reason.</summary>
    public static CaseResult Fail(string name, string reason) => new(name, reason);

    /// <summary>The report line: <c>PASS name</c> or <c>FAIL name: reason</c>, always on one line.</summary>
    public override string ToString()
        => FailureReason is null ? $"PASS {Name}" : $"FAIL {Name}: {OneLine(FailureReason)}";

    // Exception messages may span lines; the report is one line per case.
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
