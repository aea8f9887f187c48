using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using KernelGen.Testing;
using KernelGen.Verification;
using Microsoft.CodeAnalysis.Emit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Loads the output of a generator run and checks the determinism contract on it: every ISA path
/// this machine has gives the bits that calling the rule element by element gives (parameters,
/// state buffers and per-tensor state), after a few steps, for a few hyper-parameter settings.
/// The generated assembly lives in a collectible load context; KernelGen.dll is shared with the
/// tests (the default context), so the optimizers are used through <see cref="Optimizer"/>.
/// </summary>
internal static class KernelOracle
{
    private static readonly KernelPath[] Paths = { KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 };

    // Lengths that leave a tail on every vector width, and one that is shorter than every vector.
    private static readonly int[] Lengths = { 37, 3 };

    /// <summary>What differs from the rule, one line per difference; empty when the contract holds.</summary>
    /// <param name="specialValues">Mix zeros of both signs, infinities and NaN into the inputs.</param>
    public static List<string> Mismatches(GeneratorRun run, string typeName, int seed, bool specialValues = true, int settings = 4, int steps = 3)
    {
        using var stream = new MemoryStream();
        EmitResult emitted = run.Output.Emit(stream);
        if (!emitted.Success)
        {
            return emitted.Diagnostics.Select(d => "emit: " + d).ToList();
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext("KernelOracle", isCollectible: true);
        try
        {
            Type type = context.LoadFromStream(stream).GetType(typeName, throwOnError: true)!;
            try
            {
                // Registering a tensor reads the rule's IR: an IR the runtime rejects shows here.
                Create(type).Add(new float[1], new float[1]);
            }
            catch (Exception exception)
            {
                return new List<string> { $"the optimizer cannot be used: {exception.GetType().Name}: {exception.Message}" };
            }

            var random = new Random(seed);
            var mismatches = new List<string>();
            for (int setting = 0; setting < settings; setting++)
            {
                Dictionary<string, double> hyperparameters = RandomHyperparameters(Create(type), random);
                foreach (int length in Lengths)
                {
                    float[] parameter = Values(random, length, specialValues);
                    float[] gradient = Values(random, length, specialValues);
                    Snapshot expected = RunSteps(type, hyperparameters, parameter, gradient, steps, path: null);
                    foreach (KernelPath path in Paths.Where(KernelDispatch.IsSupported))
                    {
                        Snapshot actual = RunSteps(type, hyperparameters, parameter, gradient, steps, path);
                        string? difference = expected.FirstDifference(actual);
                        if (difference is not null)
                        {
                            mismatches.Add($"{path}, length {length}, {Describe(hyperparameters)}: {difference}");
                        }
                    }
                }
            }

            return mismatches;
        }
        finally
        {
            context.Unload();
        }
    }

    private static Optimizer Create(Type type) => (Optimizer)Activator.CreateInstance(type, nonPublic: true)!;

    private static Dictionary<string, double> RandomHyperparameters(Optimizer optimizer, Random random)
    {
        var values = new Dictionary<string, double>();
        foreach (string name in optimizer.HyperparameterNames)
        {
            Assert(optimizer.TryGetHyperparameter(name, out double current), name);
            // Bools and ints read back whole: keep them whole (0/1 for bools, a small count for ints).
            bool whole = current == Math.Floor(current) && current is >= 0 and <= 1000;
            double value = whole ? random.Next(0, 2) + (current > 1 ? current : 0) : Math.Round(random.NextDouble(), 3);
            if (optimizer.TrySetHyperparameter(name, value))
            {
                values[name] = value;
            }
        }

        return values;
    }

    private static Snapshot RunSteps(Type type, Dictionary<string, double> hyperparameters, float[] parameter, float[] gradient, int steps, KernelPath? path)
    {
        Optimizer optimizer = Create(type);
        foreach (KeyValuePair<string, double> hyperparameter in hyperparameters)
        {
            Assert(optimizer.TrySetHyperparameter(hyperparameter.Key, hyperparameter.Value), hyperparameter.Key);
        }

        ParameterTensor tensor = optimizer.Add((float[])parameter.Clone(), (float[])gradient.Clone());
        for (int step = 0; step < steps; step++)
        {
            if (path is { } kernelPath)
            {
                optimizer.Path = kernelPath;
                optimizer.Step();
            }
            else
            {
                optimizer.StepWithRule();
            }
        }

        var buffers = new List<(string, float[])> { ("param", tensor.Parameter.ToArray()) };
        for (int i = 0; i < tensor.StateCount; i++)
        {
            buffers.Add(("state " + i, tensor.State(i).ToArray()));
        }

        var tensorStates = new float[tensor.TensorStateCount];
        for (int i = 0; i < tensorStates.Length; i++)
        {
            tensorStates[i] = tensor.TensorState(i);
        }

        buffers.Add(("tensor state", tensorStates));
        return new Snapshot(buffers);
    }

    private static float[] Values(Random random, int length, bool specialValues)
    {
        float[] special = { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f, -1f };
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = specialValues && random.Next(8) == 0
                ? special[random.Next(special.Length)]
                : (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 2)));
        }

        return values;
    }

    private static string Describe(Dictionary<string, double> hyperparameters) =>
        hyperparameters.Count == 0 ? "no hyper-parameters" : string.Join(", ", hyperparameters.Select(h => $"{h.Key}={h.Value}"));

    private static void Assert(bool condition, string name)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The hyper-parameter '{name}' it lists cannot be set or read.");
        }
    }

    private sealed record Snapshot(List<(string Name, float[] Values)> Buffers)
    {
        public string? FirstDifference(Snapshot other)
        {
            for (int b = 0; b < Buffers.Count; b++)
            {
                (string name, float[] expected) = Buffers[b];
                float[] actual = other.Buffers[b].Values;
                for (int i = 0; i < expected.Length; i++)
                {
                    if (!SameBits.Of(expected[i], actual[i]))
                    {
                        return $"{name}[{i}] is {Show(actual[i])}, the rule gives {Show(expected[i])}";
                    }
                }
            }

            return null;
        }

        private static string Show(float value) =>
            value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " (0x" + BitConverter.SingleToInt32Bits(value).ToString("X8", System.Globalization.CultureInfo.InvariantCulture) + ")";
    }
}
