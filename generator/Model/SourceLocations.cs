using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace KernelGen.Generator.Model;

/// <summary>
/// Where each statement, call and helper argument of a parsed rule was written. The parser fills it and the
/// validation reads it, within one run of the parse step; it is never part of the model, so a
/// rule that only moved (a line added above it) gives an equal model and is not emitted again.
/// Nodes are records that compare by value: two identical statements in one rule are told apart
/// by reference here.
/// </summary>
internal sealed class SourceLocations
{
    private readonly Dictionary<object, LocationInfo?> _locations = new(ReferenceComparer.Instance);

    /// <summary>Records where <paramref name="node"/> was written and returns it.</summary>
    public T Add<T>(T node, LocationInfo? location)
        where T : class
    {
        _locations[node] = location;
        return node;
    }

    public LocationInfo? Of(Stmt statement) => Find(statement);

    public LocationInfo? Of(CallExpr call) => Find(call);

    public LocationInfo? Of(HelperArgument argument) => Find(argument);

    private LocationInfo? Find(object node) => _locations.TryGetValue(node, out LocationInfo? location) ? location : null;

    private sealed class ReferenceComparer : IEqualityComparer<object>
    {
        public static readonly ReferenceComparer Instance = new();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
