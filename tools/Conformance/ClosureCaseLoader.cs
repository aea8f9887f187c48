using System;
using System.Collections.Generic;
using System.Text.Json;

namespace KernelGen.Conformance;

/// <summary>Reads <c>kind: "closure"</c> cases.</summary>
public static partial class CaseLoader
{
    private static ConformanceCase ReadClosureCase(JsonElement root, string name)
    {
        string optimizer = RequiredString(root, "optimizer");
        float[][] parameters = ReadTensors(Required(root, "params"), "params");
        if (parameters.Length != 1)
        {
            throw new CaseFormatException($"\"params\" has {parameters.Length} tensors; a closure case has one flat tensor");
        }

        float[][][] expected = ReadTrajectory(Required(root, "expected"), "expected", parameters);
        int steps = OptionalSteps(root) ?? expected.Length;
        CheckLength(expected.Length, steps, "expected");
        double[] losses = OptionalNumbers(root, "losses", steps) ?? throw new CaseFormatException("missing \"losses\"");
        double[] counts = OptionalNumbers(root, "func_evals", steps) ?? throw new CaseFormatException("missing \"func_evals\"");
        var evaluations = new long[counts.Length];
        for (int s = 0; s < counts.Length; s++)
        {
            evaluations[s] = counts[s] >= 0 && counts[s] == Math.Floor(counts[s]) && counts[s] <= int.MaxValue
                ? (long)counts[s]
                : throw new CaseFormatException($"func_evals[{s}] is {counts[s]}, not a count");
        }

        return new ConformanceCase
        {
            Name = name,
            Kind = CaseKind.Closure,
            OptimizerName = optimizer,
            Steps = steps,
            Params = parameters,
            Expected = expected,
            Closure = new ClosureCase
            {
                Hyper = ReadClosureHyper(root),
                Function = ReadFunction(Required(root, "function"), parameters[0].Length),
                Losses = losses,
                FunctionEvaluations = evaluations,
            },
        };
    }

    private static List<ClosureHyperSetting> ReadClosureHyper(JsonElement root)
    {
        var settings = new List<ClosureHyperSetting>();
        if (!IsPresent(root, "hyper", out JsonElement hyper))
        {
            return settings;
        }

        if (hyper.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException($"\"hyper\" is a {Describe(hyper.ValueKind)}, not an object");
        }

        foreach (JsonProperty entry in hyper.EnumerateObject())
        {
            switch (entry.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    continue; // Python's None: the reference's default, as an absent key
                case JsonValueKind.String when !NonFiniteLiterals.TryParse(entry.Value.GetString(), out _):
                    settings.Add(new ClosureHyperSetting(entry.Name, double.NaN, entry.Value.GetString()));
                    break;
                default:
                    settings.Add(new ClosureHyperSetting(entry.Name, ReadScalar(entry.Value, $"hyper.{entry.Name}"), null));
                    break;
            }
        }

        return settings;
    }

    private static ClosureFunctionSpec ReadFunction(JsonElement element, int length)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException($"\"function\" is a {Describe(element.ValueKind)}, not an object");
        }

        string name = OptionalString(element, "name") ?? throw new CaseFormatException("\"function\" has no \"name\"");
        switch (name)
        {
            case "rosenbrock":
                return new ClosureFunctionSpec(name, ReadDouble(Required(element, "a"), "function.a"), ReadDouble(Required(element, "b"), "function.b"), Array.Empty<float>(), Array.Empty<float>());
            case "quadratic":
                float[] d = ReadCoefficients(element, "d", length);
                float[] c = ReadCoefficients(element, "c", length);
                return new ClosureFunctionSpec(name, 0, 0, d, c);
            default:
                throw new CaseFormatException($"unknown function \"{name}\" (rosenbrock or quadratic)");
        }
    }

    private static float[] ReadCoefficients(JsonElement function, string property, int length)
    {
        string where = $"function.{property}";
        JsonElement array = ArrayOf(Required(function, property), where);
        if (array.GetArrayLength() != length)
        {
            throw new CaseFormatException($"{where} has {array.GetArrayLength()} elements but params[0] has {length}");
        }

        var values = new float[length];
        int i = 0;
        foreach (JsonElement value in array.EnumerateArray())
        {
            values[i] = (float)ReadDouble(value, $"{where}[{i}]");
            i++;
        }

        return values;
    }
}
