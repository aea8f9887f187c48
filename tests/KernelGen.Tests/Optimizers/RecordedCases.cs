using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using KernelGen.Conformance;
using KernelGen.Tests.Conformance;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// Reads the recordings of Optimizers/PytorchOptimizerCases that are not in the conformance
/// format (schedule-free modes, Lookahead): their tensors, and hyper-parameters by the
/// reference's names, lists flattened to <c>betas[0]</c>, ... as the conformance runner does.
/// </summary>
internal static class RecordedCases
{
    public static IEnumerable<string> Names(string prefix) =>
        Directory.GetFiles(CaseFiles.ExtraPytorchOptimizerFolder, prefix + "*.json")
            .Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, System.StringComparer.Ordinal)!;

    /// <summary>Theory data: each recording named <paramref name="prefix"/>* on every path this machine runs.</summary>
    public static IEnumerable<object[]> OnEveryPath(string prefix) =>
        from name in Names(prefix)
        from path in KernelCases.SupportedPaths
        select new object[] { name, path };

    public static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(CaseFiles.ExtraPytorchOptimizerFolder, name + ".json"))).RootElement;

    /// <summary>Sets every hyper-parameter of <paramref name="hyper"/> on <paramref name="optimizer"/>.</summary>
    public static void SetHyper(Optimizer optimizer, JsonElement hyper)
    {
        foreach (JsonProperty entry in hyper.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (JsonElement item in entry.Value.EnumerateArray())
                {
                    Assert.True(optimizer.TrySetHyperparameter($"{entry.Name}[{i++}]", item.GetDouble()), entry.Name);
                }
            }
            else
            {
                double value = entry.Value.ValueKind switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => entry.Value.GetDouble(),
                };
                Assert.True(optimizer.TrySetHyperparameter(entry.Name, value), entry.Name);
            }
        }
    }

    /// <summary>A list of tensors (flat float arrays).</summary>
    public static float[][] Tensors(JsonElement list) =>
        list.EnumerateArray().Select(t => t.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray()).ToArray();

    /// <summary>A list (per step) of lists of tensors.</summary>
    public static float[][][] Steps(JsonElement list) => list.EnumerateArray().Select(Tensors).ToArray();

    /// <summary>Asserts every element is within the conformance tolerance of the recording.</summary>
    public static void AssertClose(float[][] expected, float[][] actual, string where)
    {
        string? failure = TrajectoryComparer.CompareTensors(0, 1, actual, expected, Tolerance.Parameters);
        Assert.True(failure is null, $"{where}: {failure}");
    }
}
