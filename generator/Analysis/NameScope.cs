using System.Collections.Generic;
using System.Globalization;

namespace KernelGen.Generator.Analysis;

/// <summary>Hands out identifiers that clash with none already taken.</summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken = new();

    public NameScope()
    {
    }

    public NameScope(NameScope parent) => _taken.UnionWith(parent._taken);

    public void Reserve(string name) => _taken.Add(name);

    public string Fresh(string name)
    {
        string candidate = name;
        for (int i = 1; !_taken.Add(candidate); i++)
        {
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    public static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    public static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
