using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;

namespace KernelGen.Generator.Emission;

/// <summary>
/// The generated file's <c>using</c> aliases for the vector types, so the loops read
/// <c>V256 m = Vector256.LoadUnsafe(...)</c>: <c>V256</c> is <c>Vector256&lt;float&gt;</c> and
/// <c>Vector256</c> its static class. A name the class or the rule already uses gets a fresh one.
/// </summary>
internal sealed class VectorAliases
{
    private readonly Dictionary<int, (string Type, string Class)> _names = new();

    public VectorAliases(IEnumerable<int> widths, NameScope names)
    {
        foreach (int width in widths)
        {
            _names[width] = width == CSharpWriter.VectorTWidth
                ? (names.Fresh("VT"), names.Fresh("VectorT"))
                : (names.Fresh("V" + width), names.Fresh("Vector" + width));
        }
    }

    public string Type(int width) => _names[width].Type;

    public string Class(int width) => _names[width].Class;

    /// <summary>The <c>using</c> directives, widest first.</summary>
    public IEnumerable<string> Directives => _names.OrderByDescending(pair => pair.Key).SelectMany(pair => new[]
    {
        $"using {pair.Value.Class} = {TypeNames.VectorClass(pair.Key)};",
        $"using {pair.Value.Type} = {TypeNames.Vector(pair.Key)};",
    });
}
