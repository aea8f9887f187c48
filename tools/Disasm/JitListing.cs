using System;
using System.Collections.Generic;

namespace KernelGen.Disasm;

/// <summary>
/// One method's listing as the JIT prints it under <c>DOTNET_JitDisasm</c>: from
/// <c>; Assembly listing for method ...</c> to <c>; Total bytes of code N</c>.
/// </summary>
public sealed class JitListing
{
    private const string HeaderPrefix = "; Assembly listing for method ";
    private const string TargetPrefix = "; Emitting ";

    private JitListing(string method, string target, IReadOnlyList<string> lines)
    {
        Method = method;
        Target = target;
        Lines = lines;

        // KernelGen.AdamW:Loop128[KernelGen.Internal.False,KernelGen.Internal.True](byref)
        int colon = method.IndexOf(':', StringComparison.Ordinal);
        int end = method.IndexOfAny(['[', '('], Math.Max(colon, 0));
        ClassName = colon < 0 ? "" : method[..colon];
        MethodName = method[(colon + 1)..(end < 0 ? method.Length : end)];
        TypeArguments = end >= 0 && method[end] == '[' ? SplitTypeArguments(method, end) : Array.Empty<string>();
    }

    /// <summary>The method as the JIT names it, without the tier suffix.</summary>
    public string Method { get; }

    /// <summary>The declaring class, namespace included (<c>KernelGen.AdamW</c>).</summary>
    public string ClassName { get; }

    /// <summary>The method's name without type arguments (<c>Loop128</c>).</summary>
    public string MethodName { get; }

    /// <summary>The generic method's type arguments, in order (<c>KernelGen.Internal.True</c>, ...).</summary>
    public IReadOnlyList<string> TypeArguments { get; }

    /// <summary>What the code was emitted for (<c>BLENDED_CODE for generic ARM64 + SVE on Unix</c>).</summary>
    public string Target { get; }

    /// <summary>Whether this is code for ARM64 (from the alternate JIT).</summary>
    public bool IsArm64 => Target.Contains("ARM64", StringComparison.Ordinal);

    /// <summary>Whether this is code for x64 (from the process's own JIT).</summary>
    public bool IsX64 => Target.Contains("X64", StringComparison.Ordinal);

    /// <summary>The listing's lines, header and total included.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The listing as printed.</summary>
    public string Text => string.Join(Environment.NewLine, Lines);

    /// <summary>Reads every listing in a JIT's output, in order.</summary>
    /// <exception cref="FormatException">A listing starts before the previous one ended, or never ends.</exception>
    public static IReadOnlyList<JitListing> ParseAll(string output)
    {
        var listings = new List<JitListing>();
        List<string>? lines = null;
        foreach (string rawLine in output.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.StartsWith(HeaderPrefix, StringComparison.Ordinal))
            {
                // Two JITs writing to one stream through separate buffers interleave mid-listing;
                // reading such text as listings would check a mix of both, so refuse it.
                if (lines is not null)
                {
                    throw new FormatException($"A listing starts before the previous one ended: '{lines[0]}' then '{line}'.");
                }

                lines = new List<string>();
            }

            if (lines is null)
            {
                continue;
            }

            lines.Add(line);
            if (line.StartsWith("; Total bytes of code", StringComparison.Ordinal))
            {
                listings.Add(Create(lines));
                lines = null;
            }
        }

        return lines is null ? listings : throw new FormatException($"The listing '{lines[0]}' has no end.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Method} ({Target})";

    private static JitListing Create(List<string> lines)
    {
        string method = lines[0][HeaderPrefix.Length..];
        int tier = method.LastIndexOf(" (", StringComparison.Ordinal);
        if (tier > 0 && method.EndsWith(')'))
        {
            method = method[..tier]; // " (FullOpts)", " (Tier1)", ...
        }

        string target = "";
        foreach (string line in lines)
        {
            if (line.StartsWith(TargetPrefix, StringComparison.Ordinal))
            {
                target = line[TargetPrefix.Length..];
                break;
            }
        }

        return new JitListing(method, target, lines);
    }

    private static string[] SplitTypeArguments(string method, int open)
    {
        var arguments = new List<string>();
        int depth = 0;
        int start = open + 1;
        for (int i = open + 1; i < method.Length; i++)
        {
            char c = method[i];
            if (c == '[')
            {
                depth++;
            }
            else if (c == ']' && depth > 0)
            {
                depth--;
            }
            else if (c == ']' || (c == ',' && depth == 0))
            {
                arguments.Add(method[start..i]);
                start = i + 1;
                if (c == ']')
                {
                    break;
                }
            }
        }

        return arguments.ToArray();
    }
}
