using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KernelGen.Bench.Baselines.Optimizers;

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
            Bind<SGD>(static (a, o) => new NaiveSgd(a, o)), Bind<SGD>(static (a, o) => new TensorPrimitivesSgd(a, o))),
        ["Adam"] = static () => new BenchProfile(
            "Adam", "defaults",
            static _ => { },
            new[] { ReadWrite("param"), Read("grad"), ReadWrite("expAvg"), ReadWrite("expAvgSq") },
            "1 sqrt, 2 divisions",
            Bind<Adam>(NaiveAdam.Bind), Bind<Adam>(TensorPrimitivesAdam.Bind)),
        ["AdamW"] = static () => new BenchProfile(
            "AdamW", $"defaults (weight_decay={Text(new AdamW().WeightDecay)})",
            static _ => { },
            new[] { ReadWrite("param"), Read("grad"), ReadWrite("expAvg"), ReadWrite("expAvgSq") },
            "1 sqrt, 2 divisions",
            Bind<AdamW>(NaiveAdamW.Bind), Bind<AdamW>(TensorPrimitivesAdamW.Bind)),
        ["Adagrad"] = static () => WithDefaults<Adagrad>(UpdateOf("sum"), "1 sqrt, 1 division",
            static (a, o) => new NaiveAdagrad(a, o), static (a, o) => new TensorPrimitivesAdagrad(a, o)),
        ["Adadelta"] = static () => WithDefaults<Adadelta>(UpdateOf("squareAvg", "accDelta"), "2 sqrt, 1 division",
            static (a, o) => new NaiveAdadelta(a, o), static (a, o) => new TensorPrimitivesAdadelta(a, o)),
        ["Adamax"] = static () => WithDefaults<Adamax>(UpdateOf("expAvg", "expInf"), "1 division, 1 max",
            static (a, o) => new NaiveAdamax(a, o), static (a, o) => new TensorPrimitivesAdamax(a, o)),
        ["NAdam"] = static () => WithDefaults<NAdam>(UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 3 divisions",
            static (a, o) => new NaiveNAdam(a, o), static (a, o) => new TensorPrimitivesNAdam(a, o)),
        ["RAdam"] = static () => WithDefaults<RAdam>(UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 2 divisions (rectified, from step 6 on)",
            static (a, o) => new NaiveRAdam(a, o), static (a, o) => new TensorPrimitivesRAdam(a, o)),
        ["RMSprop"] = static () => new BenchProfile("RMSprop", "defaults (not centered, momentum=0)", static _ => { },
            UpdateOf("squareAvg"), "1 sqrt, 1 division",
            Bind<RMSprop>(static (a, o) => new NaiveRMSprop(a, o)), Bind<RMSprop>(static (a, o) => new TensorPrimitivesRMSprop(a, o))),
        ["Rprop"] = static () => WithDefaults<Rprop>(UpdateOf("previous", "stepSize"), "no divider (compares, selects, a clamp)",
            static (a, o) => new NaiveRprop(a, o), static (a, o) => new TensorPrimitivesRprop(a, o)),
        ["ASGD"] = static () => new BenchProfile("ASGD", $"defaults (t0={Text(new ASGD().AveragingStart)}: the average is a copy of the parameter)", static _ => { },
            new[] { ReadWrite("param"), Read("grad"), new StepArray("average", ArrayAccess.Write) }, "no divider (2 multiplies, 1 add)",
            Bind<ASGD>(static (a, o) => new NaiveASGD(a, o)), Bind<ASGD>(static (a, o) => new TensorPrimitivesASGD(a, o))),
        ["AdaBelief"] = static () => WithDefaults<AdaBelief>(UpdateOf("expAvg", "expAvgVar"), "1 sqrt, 2 divisions",
            static (a, o) => new NaiveAdaBelief(a, o), static (a, o) => new TensorPrimitivesAdaBelief(a, o)),
        ["Lion"] = static () => WithDefaults<Lion>(UpdateOf("expAvg"), "no divider (a sign)",
            static (a, o) => new NaiveLion(a, o), static (a, o) => new TensorPrimitivesLion(a, o)),
        ["Adan"] = static () => WithDefaults<Adan>(UpdateOf("expAvg", "expAvgSq", "expAvgDiff", "previousGradNegated"), "1 sqrt, 4 divisions (one by 1 + lr·weight_decay = 1)",
            static (a, o) => new NaiveAdan(a, o), static (a, o) => new TensorPrimitivesAdan(a, o)),
        ["Yogi"] = static () => WithDefaults<Yogi>(UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 2 divisions",
            static (a, o) => new NaiveYogi(a, o), static (a, o) => new TensorPrimitivesYogi(a, o)),
        ["MADGRAD"] = static () => WithDefaults<MADGRAD>(UpdateOf("gradSumSq", "sum", "x0"), "10 sqrt, 6 divisions (the cube root from square roots and Newton steps)",
            static (a, o) => new NaiveMADGRAD(a, o), static (a, o) => new TensorPrimitivesMADGRAD(a, o)),
        ["ADOPT"] = static () => WithDefaults<ADOPT>(UpdateOf("expAvg", "expAvgSq"), "1 sqrt, 1 division",
            static (a, o) => new NaiveADOPT(a, o), static (a, o) => new TensorPrimitivesADOPT(a, o)),
        ["ScheduleFreeAdamW"] = static () => WithDefaults<ScheduleFreeAdamW>(UpdateOf("z", "expAvgSq"), "1 sqrt, 2 divisions",
            static (a, o) => new NaiveScheduleFreeAdamW(a, o), static (a, o) => new TensorPrimitivesScheduleFreeAdamW(a, o)),
        ["ScheduleFreeSGD"] = static () => WithDefaults<ScheduleFreeSGD>(UpdateOf("z"), "no divider (4 multiplies, 4 adds)",
            static (a, o) => new NaiveScheduleFreeSGD(a, o), static (a, o) => new TensorPrimitivesScheduleFreeSGD(a, o)),
        ["Lamb"] = static () => WithDefaults<Lamb>(UpdateOf("expAvg", "expAvgSq"), "2 sqrt, 2 divisions (the direction in both passes)",
            static (a, o) => new NaiveLamb(a, o), static (a, o) => new TensorPrimitivesLamb(a, o),
            reducingPass: new[] { Read("grad"), Read("expAvg"), Read("expAvgSq"), Read("param") }),
        ["LARS"] = static () => new BenchProfile("LARS", "MultiDimensional=true (the trust ratio, as for a weight matrix)",
            static o => ((LARS)o).MultiDimensional = true, UpdateOf("momentumBuffer"), "no divider (the trust ratio is per tensor)",
            Bind<LARS>(static (a, o) => new NaiveLARS(a, o)), Bind<LARS>(static (a, o) => new TensorPrimitivesLARS(a, o)))
        {
            ReducingPass = new[] { Read("param"), Read("grad") },
        },
        ["NovoGrad"] = static () => WithDefaults<NovoGrad>(UpdateOf("moment"), "1 division",
            static (a, o) => new NaiveNovoGrad(a, o), static (a, o) => new TensorPrimitivesNovoGrad(a, o),
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

    /// <summary>The profile of <typeparamref name="TOptimizer"/> (its class name is its built-in name) with its default settings.</summary>
    private static BenchProfile WithDefaults<TOptimizer>(IReadOnlyList<StepArray> arrays, string arithmetic,
        Func<TensorArrays, TOptimizer, Baseline> naive, Func<TensorArrays, TOptimizer, Baseline> tensorPrimitives, IReadOnlyList<StepArray>? reducingPass = null)
        where TOptimizer : Optimizer =>
        new(typeof(TOptimizer).Name, "defaults", static _ => { }, arrays, arithmetic, Bind(naive), Bind(tensorPrimitives)) { ReducingPass = reducingPass ?? Array.Empty<StepArray>() };

    /// <summary>A baseline that reads its settings from the <typeparamref name="TOptimizer"/> it stands beside.</summary>
    private static BaselineFactory Bind<TOptimizer>(Func<TensorArrays, TOptimizer, Baseline> create) where TOptimizer : Optimizer =>
        (arrays, optimizer) => create(arrays, (TOptimizer)optimizer).Step;

    /// <summary>A baseline bound by its own method, from the <typeparamref name="TOptimizer"/> it stands beside.</summary>
    private static BaselineFactory Bind<TOptimizer>(Func<TensorArrays, TOptimizer, Action<int>> bind) where TOptimizer : Optimizer =>
        (arrays, optimizer) => bind(arrays, (TOptimizer)optimizer);

    /// <summary>The arrays of a step that reads the gradient and reads and writes the parameter and <paramref name="stateNames"/>.</summary>
    private static StepArray[] UpdateOf(params string[] stateNames) =>
        new[] { ReadWrite("param"), Read("grad") }.Concat(stateNames.Select(ReadWrite)).ToArray();

    /// <summary>A default read from the optimizer, as the profile's settings text shows it.</summary>
    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);

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
