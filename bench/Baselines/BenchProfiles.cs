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
        ["Adagrad"] = static () => WithDefaults("Adagrad", UpdateOf("sum"), "1 sqrt, 1 division",
            static a => new NaiveAdagrad(a).Step, static a => new TensorPrimitivesAdagrad(a).Step),
        ["Adadelta"] = static () => WithDefaults("Adadelta", UpdateOf("squareAvg", "accDelta"), "2 sqrt, 1 division",
            static a => new NaiveAdadelta(a).Step, static a => new TensorPrimitivesAdadelta(a).Step),
        ["Adamax"] = static () => WithDefaults("Adamax", UpdateOf("expAvg", "expInf"), "1 division, 1 max",
            static a => new NaiveAdamax(a).Step, static a => new TensorPrimitivesAdamax(a).Step),
        ["NAdam"] = static () => WithDefaults("NAdam", UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 3 divisions",
            static a => new NaiveNAdam(a).Step, static a => new TensorPrimitivesNAdam(a).Step),
        ["RAdam"] = static () => WithDefaults("RAdam", UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 2 divisions (rectified, from step 6 on)",
            static a => new NaiveRAdam(a).Step, static a => new TensorPrimitivesRAdam(a).Step),
        ["RMSprop"] = static () => new BenchProfile("RMSprop", "defaults (not centered, momentum=0)", static _ => { },
            UpdateOf("squareAvg"), "1 sqrt, 1 division",
            static a => new NaiveRMSprop(a).Step, static a => new TensorPrimitivesRMSprop(a).Step),
        ["Rprop"] = static () => WithDefaults("Rprop", UpdateOf("previous", "stepSize"), "no divider (compares, selects, a clamp)",
            static a => new NaiveRprop(a).Step, static a => new TensorPrimitivesRprop(a).Step),
        ["ASGD"] = static () => new BenchProfile("ASGD", "defaults (t0=1e6: the average is a copy of the parameter)", static _ => { },
            new[] { ReadWrite("param"), Read("grad"), new StepArray("average", ArrayAccess.Write) }, "no divider (2 multiplies, 1 add)",
            static a => new NaiveASGD(a).Step, static a => new TensorPrimitivesASGD(a).Step),
        ["AdaBelief"] = static () => WithDefaults("AdaBelief", UpdateOf("expAvg", "expAvgVar"), "1 sqrt, 2 divisions",
            static a => new NaiveAdaBelief(a).Step, static a => new TensorPrimitivesAdaBelief(a).Step),
        ["Lion"] = static () => WithDefaults("Lion", UpdateOf("expAvg"), "no divider (a sign)",
            static a => new NaiveLion(a).Step, static a => new TensorPrimitivesLion(a).Step),
        ["Adan"] = static () => WithDefaults("Adan", UpdateOf("expAvg", "expAvgSq", "expAvgDiff", "previousGradNegated"), "1 sqrt, 4 divisions (one by 1 + lr·weight_decay = 1)",
            static a => new NaiveAdan(a).Step, static a => new TensorPrimitivesAdan(a).Step),
        ["Yogi"] = static () => WithDefaults("Yogi", UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 2 divisions",
            static a => new NaiveYogi(a).Step, static a => new TensorPrimitivesYogi(a).Step),
        ["MADGRAD"] = static () => WithDefaults("MADGRAD", UpdateOf("gradSumSq", "sum", "x0"), "10 sqrt, 6 divisions (the cube root from square roots and Newton steps)",
            static a => new NaiveMADGRAD(a).Step, static a => new TensorPrimitivesMADGRAD(a).Step),
        ["ADOPT"] = static () => WithDefaults("ADOPT", UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 1 division",
            static a => new NaiveADOPT(a).Step, static a => new TensorPrimitivesADOPT(a).Step),
        ["ScheduleFreeAdamW"] = static () => WithDefaults("ScheduleFreeAdamW", UpdateOf("z", "expAvgSq"), "1 sqrt, 2 divisions",
            static a => new NaiveScheduleFreeAdamW(a).Step, static a => new TensorPrimitivesScheduleFreeAdamW(a).Step),
        ["ScheduleFreeSGD"] = static () => WithDefaults("ScheduleFreeSGD", UpdateOf("z"), "no divider (4 multiplies, 4 adds)",
            static a => new NaiveScheduleFreeSGD(a).Step, static a => new TensorPrimitivesScheduleFreeSGD(a).Step),
        ["Lamb"] = static () => WithDefaults("Lamb", UpdateOf("expAvg", "expAvgSq"), "2 sqrt, 2 divisions (the direction in both passes)",
            static a => new NaiveLamb(a).Step, static a => new TensorPrimitivesLamb(a).Step,
            reducingPass: new[] { Read("grad"), Read("expAvg"), Read("expAvgSq"), Read("param") }),
        ["LARS"] = static () => new BenchProfile("LARS", "MultiDimensional=true (the trust ratio, as for a weight matrix)",
            static o => ((LARS)o).MultiDimensional = true, UpdateOf("momentumBuffer"), "no divider (the trust ratio is per tensor)",
            static a => new NaiveLARS(a).Step, static a => new TensorPrimitivesLARS(a).Step)
        {
            ReducingPass = new[] { Read("param"), Read("grad") },
        },
        ["NovoGrad"] = static () => WithDefaults("NovoGrad", UpdateOf("moment"), "1 division",
            static a => new NaiveNovoGrad(a).Step, static a => new TensorPrimitivesNovoGrad(a).Step,
            reducingPass: new[] { Read("grad") }),
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

    private static BenchProfile WithDefaults(string name, IReadOnlyList<StepArray> arrays, string arithmetic, BaselineFactory naive, BaselineFactory tensorPrimitives,
        IReadOnlyList<StepArray>? reducingPass = null) =>
        new(name, "defaults", static _ => { }, arrays, arithmetic, naive, tensorPrimitives) { ReducingPass = reducingPass ?? Array.Empty<StepArray>() };

    /// <summary>The arrays of a step that reads the gradient and reads and writes the parameter and <paramref name="stateNames"/>.</summary>
    private static StepArray[] UpdateOf(params string[] stateNames) =>
        new[] { ReadWrite("param"), Read("grad") }.Concat(stateNames.Select(ReadWrite)).ToArray();

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
