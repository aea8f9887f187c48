using System;
using System.Collections.Generic;
using System.Text.Json;
using KernelGen.Schedulers;

namespace KernelGen.Conformance;

/// <summary>
/// Builds the library's schedulers from a case's torch name and arguments (the
/// <see cref="ConformanceOptions.Schedulers"/> seam). Every torch 1.13 argument is mapped;
/// an unknown scheduler or argument, a Python callable, or a value of the wrong kind throws
/// <see cref="CaseSetupException"/>, which the runner reports as the case's failure.
/// </summary>
public static class TorchSchedulers
{
    private static readonly JsonElement EmptyArgs = CreateEmptyArgs();

    /// <summary>The <see cref="SchedulerFactory"/>: the scheduler <paramref name="spec"/> names, attached to <paramref name="optimizer"/>.</summary>
    public static ICaseScheduler Create(SchedulerSpec spec, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (spec.Name == "ReduceLROnPlateau")
        {
            return new PlateauAdapter(CreatePlateau(new Args(spec), optimizer));
        }

        return new Adapter(CreateScheduler(spec, optimizer));
    }

    /// <summary>Builds an <see cref="LRScheduler"/> (ReduceLROnPlateau is not one, as in torch).</summary>
    public static LRScheduler CreateScheduler(SchedulerSpec spec, Optimizer optimizer)
    {
        var args = new Args(spec);
        LRScheduler scheduler = spec.Name switch
        {
            "StepLR" => new StepLR(optimizer, args.Int("step_size"), args.Double("gamma", 0.1)),
            "MultiStepLR" => new MultiStepLR(optimizer, args.IntList("milestones"), args.Double("gamma", 0.1)),
            "ConstantLR" => new ConstantLR(optimizer, args.Double("factor", 1.0 / 3), args.Int("total_iters", 5)),
            "LinearLR" => new LinearLR(optimizer, args.Double("start_factor", 1.0 / 3), args.Double("end_factor", 1.0), args.Int("total_iters", 5)),
            "ExponentialLR" => new ExponentialLR(optimizer, args.Double("gamma")),
            "PolynomialLR" => new PolynomialLR(optimizer, args.Int("total_iters", 5), args.Double("power", 1.0)),
            "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, args.Int("T_max"), args.Double("eta_min", 0)),
            "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestarts(optimizer, args.Int("T_0"), args.Int("T_mult", 1), args.Double("eta_min", 0)),
            "CyclicLR" => CreateCyclic(args, optimizer),
            "OneCycleLR" => CreateOneCycle(args, optimizer),
            "SequentialLR" => new SequentialLR(optimizer, Children(args, optimizer), args.IntList("milestones")),
            "ChainedScheduler" => new ChainedScheduler(Children(args, optimizer)),
            "LambdaLR" or "MultiplicativeLR" => throw new CaseSetupException(
                $"scheduler {spec.Name} takes a Python callable (lr_lambda), which a case cannot carry; the library's {spec.Name} takes a Func<int, double>"),
            "ReduceLROnPlateau" => throw new CaseSetupException("ReduceLROnPlateau cannot be chained or sequenced (torch 1.13 cannot either)"),
            _ => throw new CaseSetupException($"unknown scheduler {spec.Name}"),
        };

        // Checked after building: a nested spec's arguments are checked by its own reader.
        args.CheckAllRead();
        return scheduler;
    }

    private static CyclicLR CreateCyclic(Args args, Optimizer optimizer)
    {
        if (args.Has("scale_fn"))
        {
            throw new CaseSetupException("scheduler CyclicLR: scale_fn is a Python callable, which a case cannot carry");
        }

        args.Ignore("scale_mode"); // only read with a scale_fn
        return new CyclicLR(
            optimizer,
            args.Values("base_lr"),
            args.Values("max_lr"),
            args.Double("step_size_up", 2000),
            args.OptionalDouble("step_size_down"),
            args.Choice("mode", "triangular", ("triangular", CyclicLRMode.Triangular), ("triangular2", CyclicLRMode.Triangular2), ("exp_range", CyclicLRMode.ExpRange)),
            args.Double("gamma", 1.0),
            cycleMomentum: args.Bool("cycle_momentum", true),
            baseMomentum: args.Values("base_momentum", 0.8),
            maxMomentum: args.Values("max_momentum", 0.9));
    }

    private static OneCycleLR CreateOneCycle(Args args, Optimizer optimizer) => new(
        optimizer,
        args.Values("max_lr"),
        args.OptionalInt("total_steps"),
        args.OptionalInt("epochs"),
        args.OptionalInt("steps_per_epoch"),
        args.Double("pct_start", 0.3),
        args.Choice("anneal_strategy", "cos", ("cos", AnnealStrategy.Cos), ("linear", AnnealStrategy.Linear)),
        args.Bool("cycle_momentum", true),
        args.Values("base_momentum", 0.85),
        args.Values("max_momentum", 0.95),
        args.Double("div_factor", 25.0),
        args.Double("final_div_factor", 1e4),
        args.Bool("three_phase", false));

    private static ReduceLROnPlateau CreatePlateau(Args args, Optimizer optimizer)
    {
        var plateau = new ReduceLROnPlateau(
            optimizer,
            args.Choice("mode", "min", ("min", PlateauMode.Min), ("max", PlateauMode.Max)),
            args.Double("factor", 0.1),
            args.Int("patience", 10),
            args.Double("threshold", 1e-4),
            args.Choice("threshold_mode", "rel", ("rel", ThresholdMode.Rel), ("abs", ThresholdMode.Abs)),
            args.Int("cooldown", 0),
            args.Values("min_lr", 0),
            args.Double("eps", 1e-8));
        args.CheckAllRead();
        return plateau;
    }

    /// <summary>The nested <c>{name, args}</c> specs of SequentialLR and ChainedScheduler, built in order.</summary>
    private static List<LRScheduler> Children(Args args, Optimizer optimizer)
    {
        var children = new List<LRScheduler>();
        JsonElement list = args.Required("schedulers");
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw args.WrongKind("schedulers", list, "a list of {name, args} objects");
        }

        int index = 0;
        foreach (JsonElement item in list.EnumerateArray())
        {
            string where = $"schedulers[{index++}]";
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("name", out JsonElement name)
                || name.ValueKind != JsonValueKind.String)
            {
                throw args.WrongKind(where, item, "a {name, args} object");
            }

            JsonElement childArgs = item.TryGetProperty("args", out JsonElement a) && a.ValueKind != JsonValueKind.Null
                ? a
                : EmptyArgs;
            children.Add(CreateScheduler(new SchedulerSpec(name.GetString()!, childArgs), optimizer));
        }

        return children;
    }

    private static JsonElement CreateEmptyArgs()
    {
        using JsonDocument document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    /// <summary>Reads one scheduler's arguments, remembering which were read so none is silently ignored.</summary>
    private sealed class Args
    {
        private readonly string _scheduler;
        private readonly JsonElement _args;
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public Args(SchedulerSpec spec)
        {
            _scheduler = spec.Name;
            _args = spec.Args;
            if (_args.ValueKind != JsonValueKind.Object)
            {
                throw new CaseSetupException($"scheduler {_scheduler}: args is not an object");
            }

            // Every torch scheduler takes these two; only their defaults can be honoured.
            if (TryGet("last_epoch", out JsonElement lastEpoch) && !(lastEpoch.ValueKind == JsonValueKind.Number && lastEpoch.GetDouble() == -1))
            {
                throw new CaseSetupException($"scheduler {_scheduler}: last_epoch {lastEpoch.GetRawText()} (resuming a schedule) is not supported; only -1");
            }

            if (TryGet("verbose", out JsonElement verbose) && verbose.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw WrongKind("verbose", verbose, "a boolean");
            }
        }

        public bool Has(string name) => TryGet(name, out _);

        public void Ignore(string name) => _read.Add(name);

        public JsonElement Required(string name)
            => TryGet(name, out JsonElement value) ? value : throw new CaseSetupException($"scheduler {_scheduler}: missing argument {name}");

        public double Double(string name) => ToDouble(name, Required(name));

        public double Double(string name, double fallback) => TryGet(name, out JsonElement value) ? ToDouble(name, value) : fallback;

        public double? OptionalDouble(string name) => TryGet(name, out JsonElement value) ? ToDouble(name, value) : null;

        public int Int(string name) => ToInt(name, Required(name));

        public int Int(string name, int fallback) => TryGet(name, out JsonElement value) ? ToInt(name, value) : fallback;

        public int? OptionalInt(string name) => TryGet(name, out JsonElement value) ? ToInt(name, value) : null;

        public bool Bool(string name, bool fallback)
        {
            if (!TryGet(name, out JsonElement value))
            {
                return fallback;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw WrongKind(name, value, "a boolean"),
            };
        }

        public int[] IntList(string name)
        {
            JsonElement value = Required(name);
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw WrongKind(name, value, "a list of integers");
            }

            var list = new int[value.GetArrayLength()];
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                list[i] = ToInt($"{name}[{i}]", item);
                i++;
            }

            return list;
        }

        /// <summary>A number for every group, or a list with one per group (torch's <c>_format_param</c>).</summary>
        public PerGroup Values(string name, double? fallback = null)
        {
            if (!TryGet(name, out JsonElement value))
            {
                return fallback is { } f ? f : throw new CaseSetupException($"scheduler {_scheduler}: missing argument {name}");
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                return ToDouble(name, value);
            }

            var list = new double[value.GetArrayLength()];
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                list[i] = ToDouble($"{name}[{i}]", item);
                i++;
            }

            return list;
        }

        public T Choice<T>(string name, string fallback, params (string Text, T Value)[] choices)
        {
            string text = fallback;
            if (TryGet(name, out JsonElement value))
            {
                text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongKind(name, value, "a string");
            }

            foreach ((string choice, T result) in choices)
            {
                if (choice == text)
                {
                    return result;
                }
            }

            throw new CaseSetupException($"scheduler {_scheduler}: unknown {name} \"{text}\"");
        }

        /// <summary>Fails on any argument no reader asked for: it would change torch's result.</summary>
        public void CheckAllRead()
        {
            foreach (JsonProperty property in _args.EnumerateObject())
            {
                if (!_read.Contains(property.Name) && property.Name is not ("last_epoch" or "verbose"))
                {
                    throw new CaseSetupException($"scheduler {_scheduler}: unknown argument {property.Name}");
                }
            }
        }

        public CaseSetupException WrongKind(string name, JsonElement value, string expected)
        {
            string text = value.GetRawText();
            return new CaseSetupException($"scheduler {_scheduler}: {name} is {(text.Length > 40 ? text[..37] + "..." : text)}, not {expected}");
        }

        /// <summary>A present argument; <c>null</c> (Python's None) counts as absent, i.e. the default.</summary>
        private bool TryGet(string name, out JsonElement value)
        {
            _read.Add(name);
            return _args.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
        }

        private double ToDouble(string name, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number))
            {
                return number;
            }

            // Python's json writes inf and nan as bare literals, which the loader turned into strings.
            if (value.ValueKind == JsonValueKind.String && NonFiniteLiterals.TryParse(value.GetString(), out double nonFinite))
            {
                return nonFinite;
            }

            throw WrongKind(name, value, "a number");
        }

        private int ToInt(string name, JsonElement value)
        {
            double number = ToDouble(name, value);
            if (number != Math.Floor(number) || number < int.MinValue || number > int.MaxValue)
            {
                throw WrongKind(name, value, "an integer");
            }

            return (int)number;
        }
    }

    /// <summary>An <see cref="LRScheduler"/> behind the runner's interface.</summary>
    private sealed class Adapter : ICaseScheduler
    {
        private readonly LRScheduler _scheduler;

        public Adapter(LRScheduler scheduler) => _scheduler = scheduler;

        public void Step(double? metric) => _scheduler.Step();
    }

    /// <summary>ReduceLROnPlateau, which needs the case's metric at every step.</summary>
    private sealed class PlateauAdapter : ICaseScheduler
    {
        private readonly ReduceLROnPlateau _scheduler;

        public PlateauAdapter(ReduceLROnPlateau scheduler) => _scheduler = scheduler;

        public void Step(double? metric)
            => _scheduler.Step(metric ?? throw new CaseSetupException("ReduceLROnPlateau needs a metric at every step, and the case has none"));
    }
}
