using System.IO;
using System.Linq;
using System.Text.Json;
using KernelGen.Bench.Quick;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>The rows of <c>quick --first-steps</c>: the JSON fields, and the cold steady step the first step is set against.</summary>
public class FirstStepsTests
{
    private static readonly string[] ExpectedFields =
    {
        "configuration", "parameters", "warmed", "warm_microseconds", "first_step_microseconds", "mean_steps_1_1000_microseconds",
        "steady_microseconds", "methods_compiled_in_first_step", "step_after_pause_microseconds", "cold_steady_step_microseconds",
    };

    [Fact]
    public void WritesEveryRowWithItsColdSteadyStep()
    {
        var rows = new[]
        {
            new FirstSteps.Row("AdamW/mlp-64-64-10", 4810, 81793.5, 9.5, 2.5, 2.25, 0, 10.75, 9.25),
            new FirstSteps.Row("AdamW/mlp-64-64-10", 4810, null, 23726.5, 26.5, 2.5, 21, 10.5, 9.75),
        };

        string path = Path.GetTempFileName();
        try
        {
            FirstSteps.WriteJson(path, rows);
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement[] objects = document.RootElement.EnumerateArray().ToArray();
            Assert.Equal(2, objects.Length);
            foreach (JsonElement row in objects)
            {
                Assert.Equal(ExpectedFields, row.EnumerateObject().Select(p => p.Name).ToArray());
            }

            Assert.Equal(9.25, objects[0].GetProperty("cold_steady_step_microseconds").GetDouble());
            Assert.Equal(10.75, objects[0].GetProperty("step_after_pause_microseconds").GetDouble());
            Assert.Equal(9.75, objects[1].GetProperty("cold_steady_step_microseconds").GetDouble());
            Assert.Equal(JsonValueKind.Null, objects[1].GetProperty("warm_microseconds").ValueKind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheTableSetsTheFirstStepAgainstTheColdSteadyStep()
    {
        var row = new FirstSteps.Row("AdamW/mlp-64-64-10", 4810, 81793.5, 9.5, 2.5, 2.25, 0, 10.75, 9.25);
        Assert.Equal(9.5 / 9.25, row.FirstOverCold);

        var table = new StringWriter();
        FirstSteps.Write(table, new[] { row });
        string[] lines = table.ToString().Split('\n');
        Assert.Contains("cold µs", lines[0]);
        Assert.Contains("first/cold", lines[0]);
        Assert.EndsWith("9.2       1.03", lines[2].TrimEnd());
    }
}
