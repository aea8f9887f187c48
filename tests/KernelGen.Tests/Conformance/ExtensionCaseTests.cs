using System.IO;
using System.Text.Json.Nodes;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

/// <summary>The runner's own kinds, <c>lookahead</c> and <c>schedule_free_modes</c>: what makes them fail.</summary>
public sealed class ExtensionCaseTests
{
    private static readonly ConformanceRunner Runner = new(name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null);

    [Fact]
    public void ALookaheadCaseFailsWhereTheTrajectoryDiffers()
    {
        JsonNode c = Case("lookahead", "lookahead-sgd-momentum");
        c["expected"]![3]![1]![2] = c["expected"]![3]![1]![2]!.GetValue<double>() + 0.5;

        CaseResult result = Runner.RunJson(c.ToJsonString(), "changed");

        Assert.StartsWith("FAIL lookahead-sgd-momentum: step 4/17 (expected[3]), tensor 1, element 2: expected ", result.ToString());
    }

    [Fact]
    public void ALookaheadCaseReadsKAndThePullback()
    {
        // k = 5 synchronizes first after step 5, so with k = 4 step 4 already differs.
        JsonNode c = Case("lookahead", "lookahead-sgd-momentum");
        c["k"] = 4;
        Assert.StartsWith("FAIL lookahead-sgd-momentum: step 4/17", Runner.RunJson(c.ToJsonString(), "changed").ToString());

        c = Case("lookahead", "lookahead-sgd-pullback");
        c["pullback_momentum"] = "none";
        Assert.False(Runner.RunJson(c.ToJsonString(), "changed").Passed);

        c["pullback_momentum"] = "halfway";
        Assert.Equal("FAIL lookahead-sgd-pullback: unknown pullback_momentum \"halfway\" (none, reset or pullback)", Runner.RunJson(c.ToJsonString(), "changed").ToString());
    }

    [Fact]
    public void AModesCaseComparesAfterEverySwitch()
    {
        JsonNode c = Case("schedule-free-modes", "modes-schedulefree-sgd");
        c["eval_again"]![0]![0] = c["eval_again"]![0]![0]!.GetValue<double>() + 0.5;

        CaseResult result = Runner.RunJson(c.ToJsonString(), "changed");

        Assert.StartsWith("FAIL modes-schedulefree-sgd: after a second eval(), tensor 0, element 0: expected ", result.ToString());
    }

    [Fact]
    public void AModesCaseNeedsAScheduleFreeOptimizerAndMatchingCounts()
    {
        JsonNode c = Case("schedule-free-modes", "modes-schedulefree-sgd");
        c["optimizer"] = "SGD";
        Assert.Equal("FAIL modes-schedulefree-sgd: optimizer SGD is not schedule-free: it has no train and eval modes", Runner.RunJson(c.ToJsonString(), "changed").ToString());

        c = Case("schedule-free-modes", "modes-schedulefree-sgd");
        c["steps_before"] = 7;
        Assert.Equal("FAIL modes-schedulefree-sgd: \"expected_before\" has 8 entries but \"steps_before\" is 7", Runner.RunJson(c.ToJsonString(), "changed").ToString());
    }

    private static JsonNode Case(string folder, string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(CaseFiles.Recorded("pytorch_optimizer", folder), name + ".json")))!;
}
