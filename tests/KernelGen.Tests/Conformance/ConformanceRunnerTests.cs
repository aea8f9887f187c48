using System;
using KernelGen;
using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

public sealed class ConformanceRunnerTests
{
    private static Optimizer? OnlySgd(string name) => name == "SGD" ? new SgdDouble() : null;

    [Fact]
    public void SgdPlainPassesWithACorrectOptimizer()
    {
        CaseResult result = new ConformanceRunner(OnlySgd).RunFile(CaseFiles.Torch("sgd-plain"));

        Assert.True(result.Passed, result.ToString());
        Assert.Equal("PASS sgd-plain", result.ToString());
    }

    [Fact]
    public void AWrongUpdateFailsNamingStepTensorAndElement()
    {
        var runner = new ConformanceRunner(name => new SgdDouble { Corruption = (Step: 3, Tensor: 1, Element: 5) });

        CaseResult result = runner.RunFile(CaseFiles.Torch("sgd-plain"));

        Assert.False(result.Passed);
        Assert.StartsWith("FAIL sgd-plain: step 3/20 (expected[2]), tensor 1, element 5: expected ", result.ToString());
        Assert.Contains(", actual ", result.FailureReason);
        Assert.Contains("> tolerance", result.FailureReason);
    }

    [Fact]
    public void AnUnknownOptimizerFails()
    {
        CaseResult result = new ConformanceRunner(OnlySgd).RunFile(CaseFiles.Torch("adam-default"));

        Assert.Equal("FAIL adam-default: unknown optimizer Adam", result.ToString());
    }

    [Fact]
    public void AnUnknownOptionFails()
    {
        CaseResult result = new ConformanceRunner(OnlySgd).RunFile(CaseFiles.Torch("sgd-momentum"));

        Assert.Equal("FAIL sgd-momentum: unknown option momentum for SGD", result.ToString());
    }

    [Fact]
    public void ArrayOptionsAreSetElementByElement()
    {
        CaseResult result = new ConformanceRunner(OnlySgd).RunJson(CaseFiles.TinySgd(hyper: "{\"lr\":0.5,\"betas\":[0.9,0.99]}"), "tiny");

        Assert.Equal("FAIL tiny: unknown option betas[0] for SGD", result.ToString());
    }

    [Fact]
    public void BooleanOptionsAreSetAsZeroOrOne()
    {
        // maximize flips the gradient: p = [1, 2] - 0.5 * -[0.5, -1] = [1.25, 1.5], not the expected [0.75, 2.5].
        CaseResult result = new ConformanceRunner(OnlySgd).RunJson(CaseFiles.TinySgd(hyper: "{\"lr\":0.5,\"maximize\":true}"), "tiny");

        Assert.StartsWith("step 1/1 (expected[0]), tensor 0, element 0: expected 0.75, actual 1.25", result.FailureReason);
    }

    [Fact]
    public void SchedulersAreNotSupportedYet()
    {
        var runner = new ConformanceRunner(OnlySgd);

        Assert.Equal("FAIL sgd-cosine-clip: scheduler CosineAnnealingLR is not supported yet", runner.RunFile(CaseFiles.Torch("sgd-cosine-clip")).ToString());
        Assert.Equal("FAIL exponential-lr: scheduler ExponentialLR is not supported yet", runner.RunFile(CaseFiles.Torch("exponential-lr")).ToString());
    }

    [Fact]
    public void ClippingIsNotSupportedYet()
    {
        CaseResult result = new ConformanceRunner(OnlySgd).RunJson(CaseFiles.TinySgd("\"clip_grad_norm\":{\"max_norm\":1.0}"), "tiny");

        Assert.Equal("FAIL tiny: clip_grad_norm is not supported yet", result.ToString());
    }

    [Fact]
    public void APluggedSchedulerDrivesTheLearningRate()
    {
        var options = new ConformanceOptions { Schedulers = (spec, optimizer) => spec.Name == "ExponentialLR" ? new ExponentialLrDouble(spec, optimizer) : null };
        var runner = new ConformanceRunner(OnlySgd, options);

        Assert.True(runner.RunFile(CaseFiles.Torch("exponential-lr")).Passed);
        Assert.Equal("FAIL step-lr: scheduler StepLR is not supported yet", runner.RunFile(CaseFiles.Torch("step-lr")).ToString());
    }

    [Fact]
    public void AWrongScheduleFailsNamingTheStep()
    {
        var options = new ConformanceOptions { Schedulers = (spec, optimizer) => new ExponentialLrDouble(spec, optimizer, gammaError: 1e-3) };

        CaseResult result = new ConformanceRunner(OnlySgd, options).RunFile(CaseFiles.Torch("exponential-lr"));

        Assert.StartsWith("lr at step 2/60 (lrs[1]): expected 0.093", result.FailureReason);
    }

    [Fact]
    public void TheChosenKernelPathIsUsed()
    {
        var optimizer = new SgdDouble();
        var runner = new ConformanceRunner(name => optimizer, new ConformanceOptions { Path = KernelPath.Scalar });

        Assert.True(runner.RunFile(CaseFiles.Torch("sgd-plain")).Passed);
        Assert.Equal(KernelPath.Scalar, optimizer.LastPath);
    }

    [Fact]
    public void AnExceptionInAStepIsAFailure()
    {
        CaseResult result = new ConformanceRunner(name => new SgdDouble { ThrowAtStep = 2 }).RunFile(CaseFiles.Torch("sgd-plain"));

        Assert.Equal("FAIL sgd-plain: step 2/20 threw InvalidOperationException: the double was told to fail here", result.ToString());
    }

    [Fact]
    public void AnExceptionFromTheFactoryIsAFailure()
    {
        CaseResult result = new ConformanceRunner(name => throw new InvalidOperationException("no")).RunFile(CaseFiles.Torch("sgd-plain"));

        Assert.Equal("FAIL sgd-plain: creating optimizer SGD threw InvalidOperationException: no", result.ToString());
    }

    [Theory]
    [InlineData("{\"format\":\"kernelgen-conformance/1\",\"params\":[[1,2]", "malformed JSON")]
    [InlineData("", "malformed JSON")]
    [InlineData("[1,2,3]", "the file holds a JSON array, not an object")]
    [InlineData("{\"format\":\"kernelgen-conformance/2\"}", "unsupported format \"kernelgen-conformance/2\"")]
    [InlineData("{\"kind\":\"quantum\"}", "unknown kind \"quantum\"")]
    [InlineData("{\"optimizer\":\"SGD\",\"params\":[[1]],\"grads\":[[[1]]]}", "missing \"expected\"")]
    [InlineData("{\"optimizer\":\"SGD\",\"params\":[[1]],\"grads\":[[[1],[2]]],\"expected\":[[[1]]]}", "grads[0] has 2 tensors but params has 1")]
    [InlineData("{\"optimizer\":\"SGD\",\"params\":[[1]],\"grads\":[[[1,2]]],\"expected\":[[[1]]]}", "grads[0][0] has 2 elements but params[0] has 1")]
    [InlineData("{\"optimizer\":\"SGD\",\"params\":[[1,\"x\"]],\"grads\":[],\"expected\":[]}", "params[0][1]: expected a number, found string \"x\"")]
    [InlineData("{\"optimizer\":\"SGD\",\"steps\":2,\"params\":[[1]],\"grads\":[[[1]]],\"expected\":[[[1]]]}", "\"grads\" has 1 entries but \"steps\" is 2")]
    [InlineData("{\"optimizer\":\"SGD\",\"hyper\":{\"lr\":\"fast\"},\"params\":[],\"grads\":[],\"expected\":[]}", "hyper.lr: expected a number, found string \"fast\"")]
    [InlineData("{\"optimizer\":\"SGD\",\"params\":[[1e999]],\"grads\":[],\"expected\":[]}", "params[0][0]: 1e999 does not fit a double")]
    [InlineData("{\"kind\":\"scheduler\",\"base_lr\":0.1,\"lrs\":[0.1]}", "missing \"scheduler\"")]
    public void AMalformedCaseIsAFailureNotACrash(string json, string reason)
    {
        CaseResult result = new ConformanceRunner(OnlySgd).RunJson(json, "broken");

        Assert.False(result.Passed);
        Assert.StartsWith("FAIL broken: " + reason, result.ToString());
    }

    [Fact]
    public void AFailureReasonStaysOnOneLine()
    {
        Assert.Equal("FAIL x: a b", CaseResult.Fail("x", "a\nb").ToString());
    }

    /// <summary>torch's ExponentialLR (<c>lr = base_lr * gamma^epoch</c>), only to exercise the scheduler seam.</summary>
    private sealed class ExponentialLrDouble : ICaseScheduler
    {
        private readonly Optimizer _optimizer;
        private readonly double _gamma;
        private double _lr;

        public ExponentialLrDouble(SchedulerSpec spec, Optimizer optimizer, double gammaError = 0)
        {
            _optimizer = optimizer;
            _gamma = spec.Args.GetProperty("gamma").GetDouble() + gammaError;
            Assert.True(optimizer.TryGetHyperparameter("lr", out _lr));
        }

        public void Step(double? metric)
        {
            _lr *= _gamma;
            Assert.True(_optimizer.TrySetHyperparameter("lr", _lr));
        }
    }
}
