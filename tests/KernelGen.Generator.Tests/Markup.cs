using System;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Test sources with the expected diagnostic spans marked as <c>[|text|]</c> (Roslyn's own test
/// convention): the marks are removed and their spans kept, so a test states where a diagnostic
/// belongs right in the source it compiles.
/// </summary>
internal static class Markup
{
    private const string Open = "[|";
    private const string Close = "|]";

    public static (string Source, ImmutableArray<TextSpan> Spans) Parse(string markup)
    {
        var source = new StringBuilder(markup.Length);
        var spans = ImmutableArray.CreateBuilder<TextSpan>();
        int position = 0;
        while (true)
        {
            int open = markup.IndexOf(Open, position, StringComparison.Ordinal);
            if (open < 0)
            {
                source.Append(markup, position, markup.Length - position);
                break;
            }

            int close = markup.IndexOf(Close, open + Open.Length, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"'{Open}' at {open} has no '{Close}'.", nameof(markup));
            }

            source.Append(markup, position, open - position);
            int start = source.Length;
            source.Append(markup, open + Open.Length, close - open - Open.Length);
            spans.Add(TextSpan.FromBounds(start, source.Length));
            position = close + Close.Length;
        }

        return (source.ToString(), spans.ToImmutable());
    }
}
