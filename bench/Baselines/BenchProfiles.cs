using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The benchmark profile of every built-in optimizer. The list follows
/// <see cref="BuiltInOptimizers.Names"/>: an optimizer added to the library shows up in the quick
/// table at once, with a conservative traffic estimate and no baselines until its profile is written here.
/// </summary>
public static class BenchProfiles
{
    private static readonly Dictionary<string, Func<BenchProfile>> Written = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = static () => new BenchProfile(
            "SGD", "momentum=0.9",
            static o => Set(o, "momentum", 0.9),
            new[] { ReadWrite("param"), Read("grad"), ReadWrite("momentumBuffer") },
            "3 multiplies, 2 adds: no divider",
            NaiveSgd.Bind, TensorPrimitivesSgd.Bind),
        ["Adam"] = static () => new BenchProfile(
            "Adam", "defaults",
            static _ => { },
            new[] { ReadWrite("param"), Read("grad"), ReadWrite("expAvg"), ReadWrite("expAvgSq") },
            "1 sqrt, 2 divisions",
            NaiveAdam.Bind, TensorPrimitivesAdam.BindAdam),
        ["AdamW"] = static () => new BenchProfile(
            "AdamW", "defaults (weight_decay=0.01)",
            static _ => { },
            new[] { ReadWrite("param"), Read("grad"), ReadWrite("expAvg"), ReadWrite("expAvgSq") },
            "1 sqrt, 2 divisions",
            NaiveAdamW.Bind, TensorPrimitivesAdam.BindAdamW),
    };

    /// <summary>Every built-in optimizer's profile, in the order <see cref="BuiltInOptimizers.Names"/> lists them.</summary>
    public static IReadOnlyList<BenchProfile> All() => BuiltInOptimizers.Names.Select(For).ToArray();

    /// <summary>
    /// The written profile of <paramref name="name"/>, or one derived from its rule: default
    /// settings, every state buffer assumed read and written (an upper bound on its traffic), no baselines.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a built-in optimizer.</exception>
    public static BenchProfile For(string name)
    {
        if (Written.TryGetValue(name, out Func<BenchProfile>? create))
        {
            return create();
        }

        if (!BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer))
        {
            throw new ArgumentException($"'{name}' is not a built-in optimizer.", nameof(name));
        }

        UpdateRule rule = optimizer.Rule;
        var arrays = new List<StepArray> { ReadWrite(rule.ParameterName), Read(rule.GradientName) };
        arrays.AddRange(rule.StateNames.Select(ReadWrite));
        return new BenchProfile(name, "defaults", static _ => { }, arrays, "not profiled yet (all state assumed read and written)", null, null);
    }

    /// <summary>Whether <paramref name="name"/> has a written profile with hand-written baselines.</summary>
    public static bool IsWritten(string name) => Written.ContainsKey(name);

    private static StepArray Read(string name) => new(name, ArrayAccess.Read);

    private static StepArray ReadWrite(string name) => new(name, ArrayAccess.ReadWrite);

    private static void Set(Optimizer optimizer, string name, double value)
    {
        if (!optimizer.TrySetHyperparameter(name, value))
        {
            throw new InvalidOperationException($"{optimizer.GetType().Name} has no hyper-parameter '{name}'.");
        }
    }
}
