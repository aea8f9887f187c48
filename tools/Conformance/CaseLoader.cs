using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace KernelGen.Conformance;

/// <summary>The outcome of loading a case: the case, or why it could not be loaded.</summary>
/// <param name="Name">The case's name when it could be read, else the fallback name.</param>
/// <param name="Case">The case, or <see langword="null"/> when loading failed.</param>
/// <param name="Error">Why loading failed, or <see langword="null"/>.</param>
public sealed record CaseLoadResult(string Name, ConformanceCase? Case, string? Error);

/// <summary>
/// Reads <c>kernelgen-conformance/1</c> files with <see cref="JsonDocument"/> (no reflection-based
/// serialization, so the tool stays trimming and AOT friendly) and checks every shape, so the
/// runner only ever sees a consistent case. Never throws for bad input: it reports what is wrong.
/// </summary>
public static partial class CaseLoader
{
    /// <summary>The format this loader reads.</summary>
    public const string Format = "kernelgen-conformance/1";

    private static readonly JsonElement EmptyObject = CreateEmptyObject();

    /// <summary>Loads the case in <paramref name="path"/>; its file name stands in for a missing <c>name</c>.</summary>
    public static CaseLoadResult LoadFile(string path)
    {
        string fallbackName = Path.GetFileNameWithoutExtension(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CaseLoadResult(fallbackName, null, $"cannot read {path}: {e.Message}");
        }

        return Load(json, fallbackName);
    }

    /// <summary>Loads a case from its JSON text.</summary>
    public static CaseLoadResult Load(string json, string fallbackName)
    {
        string name = fallbackName;
        try
        {
            using JsonDocument document = JsonDocument.Parse(NonFiniteLiterals.Quote(json));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CaseFormatException($"the file holds a JSON {Describe(root.ValueKind)}, not an object");
            }

            if (root.TryGetProperty("name", out JsonElement nameElement)
                && nameElement.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(nameElement.GetString()))
            {
                name = nameElement.GetString()!;
            }

            return new CaseLoadResult(name, Read(root, name), null);
        }
        catch (JsonException e)
        {
            return new CaseLoadResult(name, null, $"malformed JSON: {e.Message}");
        }
        catch (CaseFormatException e)
        {
            return new CaseLoadResult(name, null, e.Message);
        }
    }

    private static ConformanceCase Read(JsonElement root, string name)
    {
        string? format = OptionalString(root, "format");
        if (format is not null && format != Format)
        {
            throw new CaseFormatException($"unsupported format \"{format}\" (this runner reads \"{Format}\")");
        }

        string kind = OptionalString(root, "kind") ?? "optimizer";
        return kind switch
        {
            "optimizer" => ReadOptimizerCase(root, name),
            "scheduler" => ReadSchedulerCase(root, name),
            "closure" => ReadClosureCase(root, name),
            "lookahead" => ReadLookaheadCase(root, name),
            "schedule_free_modes" => ReadScheduleFreeModesCase(root, name),
            _ => throw new CaseFormatException($"unknown kind \"{kind}\""),
        };
    }

    private static ConformanceCase ReadOptimizerCase(JsonElement root, string name)
    {
        string optimizer = RequiredString(root, "optimizer");
        (float[][] parameters, float[][][] grads, float[][][] expected, int steps) = ReadStepped(root);
        double[]? lrs = OptionalNumbers(root, "lrs", steps);

        return new ConformanceCase
        {
            Name = name,
            Kind = CaseKind.Optimizer,
            OptimizerName = optimizer,
            Hyper = ReadHyper(root, "hyper"),
            Steps = steps,
            Params = parameters,
            Grads = grads,
            Expected = expected,
            Scheduler = IsPresent(root, "scheduler", out JsonElement scheduler) ? ReadScheduler(scheduler, "scheduler") : null,
            ClipGradNorm = IsPresent(root, "clip_grad_norm", out JsonElement clip) ? ReadClip(clip) : null,
            Lrs = lrs,
            DTypes = IsPresent(root, "dtypes", out JsonElement dtypes) ? ReadDTypes(dtypes) : null,
        };
    }

    /// <summary><c>dtypes</c>: <c>{"param": T, "grad": T, "state": T}</c>, each T <c>float32</c>, <c>bfloat16</c> or <c>float16</c>.</summary>
    private static CaseDTypes ReadDTypes(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException($"\"dtypes\" is a {Describe(element.ValueKind)}, not an object");
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Name is not ("param" or "grad" or "state"))
            {
                throw new CaseFormatException($"\"dtypes\" has the unknown field \"{Abbreviate(property.Name)}\" (it takes \"param\", \"grad\" and \"state\")");
            }
        }

        return new CaseDTypes(StorageType(element, "param"), StorageType(element, "grad"), StorageType(element, "state"));

        static StateStorage StorageType(JsonElement dtypes, string property) => RequiredString(dtypes, property) switch
        {
            "float32" => StateStorage.Float32,
            "bfloat16" => StateStorage.BFloat16,
            "float16" => StateStorage.Float16,
            string other => throw new CaseFormatException(
                $"\"dtypes.{property}\" is the unknown storage type \"{Abbreviate(other)}\" (known: float32, bfloat16, float16)"),
        };
    }

    /// <summary>The trajectory every stepped kind has: <c>params</c>, <c>grads</c> and <c>expected</c> per step, and <c>steps</c>.</summary>
    private static (float[][] Params, float[][][] Grads, float[][][] Expected, int Steps) ReadStepped(JsonElement root)
    {
        float[][] parameters = ReadTensors(Required(root, "params"), "params");
        float[][][] grads = ReadTrajectory(Required(root, "grads"), "grads", parameters);
        float[][][] expected = ReadTrajectory(Required(root, "expected"), "expected", parameters);
        int steps = OptionalSteps(root) ?? expected.Length;
        CheckLength(grads.Length, steps, "grads");
        CheckLength(expected.Length, steps, "expected");
        return (parameters, grads, expected, steps);
    }

    private static ConformanceCase ReadSchedulerCase(JsonElement root, string name)
    {
        JsonElement lrsElement = Required(root, "lrs");
        int steps = OptionalSteps(root) ?? ArrayOf(lrsElement, "lrs").GetArrayLength();
        return new ConformanceCase
        {
            Name = name,
            Kind = CaseKind.Scheduler,
            OptimizerName = OptionalString(root, "optimizer"),
            Hyper = ReadHyper(root, "optimizer_hyper"),
            Steps = steps,
            Scheduler = ReadScheduler(Required(root, "scheduler"), "scheduler"),
            BaseLr = ReadDouble(Required(root, "base_lr"), "base_lr"),
            Lrs = OptionalNumbers(root, "lrs", steps),
            Metrics = OptionalNumbers(root, "metrics", steps),
            Momentums = OptionalNumbers(root, "momentums", steps),
        };
    }

    /// <summary>
    /// Flattens the constructor arguments: arrays (betas, etas, step_sizes) become one setting per
    /// element, booleans 0 or 1. A <c>null</c> (Python's <c>None</c>) means "the reference's
    /// default", which is what an absent key means too, so it is skipped.
    /// </summary>
    private static IReadOnlyList<HyperSetting> ReadHyper(JsonElement root, string property)
    {
        var settings = new List<HyperSetting>();
        if (!IsPresent(root, property, out JsonElement hyper))
        {
            return settings;
        }

        if (hyper.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException($"\"{property}\" is a {Describe(hyper.ValueKind)}, not an object");
        }

        foreach (JsonProperty entry in hyper.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                int index = 0;
                foreach (JsonElement item in entry.Value.EnumerateArray())
                {
                    string itemName = $"{entry.Name}[{index}]";
                    settings.Add(new HyperSetting(itemName, ReadScalar(item, $"{property}.{itemName}")));
                    index++;
                }
            }
            else
            {
                settings.Add(new HyperSetting(entry.Name, ReadScalar(entry.Value, $"{property}.{entry.Name}")));
            }
        }

        return settings;
    }

    private static double ReadScalar(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => ReadDouble(element, where),
    };

    private static SchedulerSpec ReadScheduler(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException($"\"{where}\" is a {Describe(element.ValueKind)}, not an object");
        }

        string name = OptionalString(element, "name") ?? throw new CaseFormatException($"\"{where}\" has no \"name\"");
        JsonElement args = EmptyObject;
        if (IsPresent(element, "args", out JsonElement argsElement))
        {
            if (argsElement.ValueKind != JsonValueKind.Object)
            {
                throw new CaseFormatException($"\"{where}.args\" is a {Describe(argsElement.ValueKind)}, not an object");
            }

            // Cloned: the document is disposed once the case is loaded.
            args = argsElement.Clone();
        }

        return new SchedulerSpec(name, args);
    }

    private static ClipGradNormSpec ReadClip(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException($"\"clip_grad_norm\" is a {Describe(element.ValueKind)}, not an object");
        }

        double maxNorm = ReadDouble(Required(element, "max_norm"), "clip_grad_norm.max_norm");

        // torch's default norm type is 2; infinity arrives as the Infinity literal, or as the
        // string 'inf' that torch itself accepts (it calls float(norm_type)).
        double normType = 2.0;
        if (IsPresent(element, "norm_type", out JsonElement norm))
        {
            normType = norm.ValueKind == JsonValueKind.String && IsPythonInfinity(norm.GetString())
                ? double.PositiveInfinity
                : ReadDouble(norm, "clip_grad_norm.norm_type");
        }

        return new ClipGradNormSpec(maxNorm, normType);
    }

    private static bool IsPythonInfinity(string? text)
        => text is not null && (text.Trim().Equals("inf", StringComparison.OrdinalIgnoreCase)
                                || text.Trim().Equals("+inf", StringComparison.OrdinalIgnoreCase)
                                || text.Trim().Equals("infinity", StringComparison.OrdinalIgnoreCase));

    private static float[][] ReadTensors(JsonElement element, string where)
    {
        var tensors = new float[ArrayOf(element, where).GetArrayLength()][];
        int i = 0;
        foreach (JsonElement tensor in element.EnumerateArray())
        {
            string tensorWhere = $"{where}[{i}]";
            var values = new float[ArrayOf(tensor, tensorWhere).GetArrayLength()];
            int j = 0;
            foreach (JsonElement value in tensor.EnumerateArray())
            {
                // The values are float32 written as the shortest round-trip decimal: exact after the cast.
                values[j] = (float)ReadDouble(value, $"{tensorWhere}[{j}]");
                j++;
            }

            tensors[i++] = values;
        }

        return tensors;
    }

    /// <summary>Reads <c>[step][tensor][element]</c> and checks each step matches the shapes of the params.</summary>
    private static float[][][] ReadTrajectory(JsonElement element, string where, float[][] parameters)
    {
        var steps = new float[ArrayOf(element, where).GetArrayLength()][][];
        int s = 0;
        foreach (JsonElement step in element.EnumerateArray())
        {
            steps[s] = ReadShapedLike(step, $"{where}[{s}]", parameters);
            s++;
        }

        return steps;
    }

    /// <summary>Reads a list of tensors and checks it has the shapes of the params.</summary>
    private static float[][] ReadShapedLike(JsonElement element, string where, float[][] parameters)
    {
        float[][] tensors = ReadTensors(element, where);
        if (tensors.Length != parameters.Length)
        {
            throw new CaseFormatException($"{where} has {tensors.Length} tensors but params has {parameters.Length}");
        }

        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].Length != parameters[i].Length)
            {
                throw new CaseFormatException($"{where}[{i}] has {tensors[i].Length} elements but params[{i}] has {parameters[i].Length}");
            }
        }

        return tensors;
    }

    private static double[]? OptionalNumbers(JsonElement root, string property, int steps)
    {
        if (!IsPresent(root, property, out JsonElement element))
        {
            return null;
        }

        var values = new double[ArrayOf(element, property).GetArrayLength()];
        int i = 0;
        foreach (JsonElement value in element.EnumerateArray())
        {
            values[i] = ReadDouble(value, $"{property}[{i}]");
            i++;
        }

        CheckLength(values.Length, steps, property);
        return values;
    }

    private static int? OptionalSteps(JsonElement root)
        => IsPresent(root, "steps", out JsonElement element) ? ReadCount(element, "steps") : null;

    private static int ReadCount(JsonElement element, string property)
        => element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int count) && count >= 0
            ? count
            : throw new CaseFormatException($"\"{property}\" is {element.GetRawText()}, not a non-negative integer");

    private static void CheckLength(int length, int steps, string property, string stepsName = "\"steps\"")
    {
        if (length != steps)
        {
            throw new CaseFormatException($"\"{property}\" has {length} entries but {stepsName} is {steps}");
        }
    }

    private static double ReadDouble(JsonElement element, string where)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                // A literal too large for a double reads as infinity: report it rather than run with it
                // (a genuine infinity is written as the Infinity literal).
                if (element.TryGetDouble(out double value) && double.IsFinite(value))
                {
                    return value;
                }

                throw new CaseFormatException($"{where}: {element.GetRawText()} does not fit a double");
            case JsonValueKind.String when NonFiniteLiterals.TryParse(element.GetString(), out double nonFinite):
                return nonFinite;
            default:
                throw new CaseFormatException($"{where}: expected a number, found {Describe(element.ValueKind)} {Abbreviate(element.GetRawText())}");
        }
    }

    private static JsonElement ArrayOf(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new CaseFormatException($"{where}: expected an array, found {Describe(element.ValueKind)} {Abbreviate(element.GetRawText())}");
        }

        return element;
    }

    private static JsonElement Required(JsonElement parent, string property)
        => IsPresent(parent, property, out JsonElement element) ? element : throw new CaseFormatException($"missing \"{property}\"");

    /// <summary>A property counts as present unless it is absent or <c>null</c>.</summary>
    private static bool IsPresent(JsonElement parent, string property, out JsonElement element)
        => parent.TryGetProperty(property, out element) && element.ValueKind != JsonValueKind.Null;

    private static string RequiredString(JsonElement parent, string property)
        => OptionalString(parent, property) ?? throw new CaseFormatException($"missing \"{property}\"");

    private static string? OptionalString(JsonElement parent, string property)
    {
        if (!IsPresent(parent, property, out JsonElement element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.String
            ? element.GetString()
            : throw new CaseFormatException($"\"{property}\" is a {Describe(element.ValueKind)}, not a string");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Abbreviate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");

    private static JsonElement CreateEmptyObject()
    {
        using JsonDocument document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    /// <summary>A case that is valid JSON but not a valid case; caught in <see cref="Load"/>.</summary>
    private sealed class CaseFormatException(string message) : Exception(message);
}
