using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

/// <summary>Reading <c>kind: "closure"</c> cases: what a bad one reports, and what a wrong trajectory fails on.</summary>
public sealed class ClosureCaseTests
{
    private const string Quadratic = "{\"name\":\"quadratic\",\"d\":[1,1],\"c\":[0,0]}";

    private static string Case(string function = Quadratic, string hyper = "{\"lr\":1}", string expected = "[[[0.5,0.5]]]", string losses = "[1.2]", string evals = "[2]")
        => "{\"format\":\"kernelgen-conformance/1\",\"kind\":\"closure\",\"name\":\"q\",\"optimizer\":\"LBFGS\",\"hyper\":" + hyper +
           ",\"function\":" + function + ",\"params\":[[1,1]],\"steps\":1,\"expected\":" + expected + ",\"losses\":" + losses + ",\"func_evals\":" + evals + "}";

    [Theory]
    [InlineData("{\"name\":\"himmelblau\"}", "unknown function \"himmelblau\"")]
    [InlineData("{\"name\":\"quadratic\",\"d\":[1],\"c\":[0,0]}", "function.d has 1 elements but params[0] has 2")]
    [InlineData("{\"name\":\"rosenbrock\",\"a\":1}", "missing \"b\"")]
    public void ABadFunctionIsReported(string function, string error)
    {
        CaseLoadResult loaded = CaseLoader.Load(Case(function), "fallback");

        Assert.Null(loaded.Case);
        Assert.Contains(error, loaded.Error);
    }

    [Fact]
    public void AFractionalEvaluationCountIsReported()
    {
        Assert.Contains("func_evals[0] is 2.5", CaseLoader.Load(Case(evals: "[2.5]"), "fallback").Error);
    }

    [Theory]
    [InlineData("{\"lr\":1,\"momentum\":0.9}", "unknown option momentum for LBFGS")]
    [InlineData("{\"line_search_fn\":\"backtracking\"}", "hyper-parameter line_search_fn refused")]
    [InlineData("{\"history_size\":0}", "hyper-parameter history_size refused")]
    public void HyperParametersLBFGSDoesNotTakeFailTheCase(string hyper, string reason)
    {
        CaseResult result = new ConformanceRunner(_ => null).RunJson(Case(hyper: hyper), "fallback");

        Assert.False(result.Passed);
        Assert.Contains(reason, result.FailureReason);
    }

    [Fact]
    public void AWrongCountOrLossFailsTheCase()
    {
        // One fixed step from [1, 1] with lr 1 and max_iter 1: g = 1.4, t = min(1, 1 / |g|_1) = 1 / 2.8, x = 1 - t g = 0.5, no re-evaluation.
        var runner = new ConformanceRunner(_ => null);
        string hyper = "{\"lr\":1,\"max_iter\":1}";
        string expected = "[[[0.5,0.5]]]";

        Assert.True(runner.RunJson(Case(hyper: hyper, expected: expected, losses: "[1.2]", evals: "[1]"), "q").Passed);
        Assert.Contains("func_evals after step 1/1: expected 2, actual 1", runner.RunJson(Case(hyper: hyper, expected: expected, losses: "[1.2]", evals: "[2]"), "q").FailureReason);
        Assert.Contains("loss at step 1/1", runner.RunJson(Case(hyper: hyper, expected: expected, losses: "[1.3]", evals: "[1]"), "q").FailureReason);
    }
}
