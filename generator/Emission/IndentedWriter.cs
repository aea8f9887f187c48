using System.Text;

namespace KernelGen.Generator.Emission;

/// <summary>Writes source text with the current indentation; <see cref="Block"/> opens a brace scope.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
    }

    public void Comment(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Line(line.Length == 0 ? "//" : "// " + line);
        }
    }

    public Scope Block(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
        return new Scope(this);
    }

    public override string ToString() => _text.ToString();

    internal readonly struct Scope : System.IDisposable
    {
        private readonly IndentedWriter _writer;

        public Scope(IndentedWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
