using KernelGen;
using KernelGen.Conformance;
using KernelGen.Tests.Conformance;
using Xunit;

namespace KernelGen.Tests.Schedulers;

/// <summary>What the bench's torch-name mapping makes of cases it cannot run: a FAIL with the reason, never a crash.</summary>
public sealed class TorchSchedulerFactoryTests
{
    private static readonly ConformanceRunner Runner = new(
        name => BuiltInOptimizers.TryCreate(name, out Optimizer? optimizer) ? optimizer : null,
        new ConformanceOptions { Schedulers = TorchSchedulers.Create, Clipping = TorchClipping.Create });

    private static string SchedulerCase(string scheduler, string extra = "")
        => "{\"kind\":\"scheduler\",\"name\":\"s\",\"base_lr\":0.1,\"steps\":2,\"lrs\":[0.1,0.1],\"scheduler\":" + scheduler + extra + "}";

    [Theory]
    [InlineData("{\"name\":\"WarpLR\"}", "unknown scheduler WarpLR")]
    [InlineData("{\"name\":\"StepLR\",\"args\":{\"step_size\":3,\"gama\":0.5}}", "scheduler StepLR: unknown argument gama")]
    [InlineData("{\"name\":\"StepLR\",\"args\":{}}", "scheduler StepLR: missing argument step_size")]
    [InlineData("{\"name\":\"StepLR\",\"args\":{\"step_size\":2.5}}", "scheduler StepLR: step_size is 2.5, not an integer")]
    [InlineData("{\"name\":\"StepLR\",\"args\":{\"step_size\":3,\"last_epoch\":4}}", "scheduler StepLR: last_epoch 4 (resuming a schedule) is not supported; only -1")]
    [InlineData("{\"name\":\"CyclicLR\",\"args\":{\"base_lr\":0.1,\"max_lr\":1,\"mode\":\"sawtooth\"}}", "scheduler CyclicLR: unknown mode \"sawtooth\"")]
    [InlineData("{\"name\":\"CyclicLR\",\"args\":{\"base_lr\":0.1,\"max_lr\":1,\"scale_fn\":\"f\"}}", "scheduler CyclicLR: scale_fn is a Python callable, which a case cannot carry")]
    [InlineData("{\"name\":\"LambdaLR\",\"args\":{\"lr_lambda\":\"f\"}}", "scheduler LambdaLR takes a Python callable (lr_lambda)")]
    [InlineData("{\"name\":\"SequentialLR\",\"args\":{\"schedulers\":[{\"name\":\"ExponentialLR\",\"args\":{\"gamma\":0.9,\"x\":1}}],\"milestones\":[]}}", "scheduler ExponentialLR: unknown argument x")]
    [InlineData("{\"name\":\"ChainedScheduler\",\"args\":{\"schedulers\":[{\"name\":\"ReduceLROnPlateau\"}]}}", "ReduceLROnPlateau cannot be chained or sequenced")]
    [InlineData("{\"name\":\"StepLR\",\"args\":{\"step_size\":0}}", "creating scheduler StepLR threw ArgumentOutOfRangeException:")]
    [InlineData("{\"name\":\"CyclicLR\",\"args\":{\"base_lr\":0.1,\"max_lr\":1}}", "creating scheduler CyclicLR threw ArgumentException: Adam has no Momentum")]
    public void AnUnsupportedSchedulerIsAFailureWithItsReason(string scheduler, string reason)
    {
        // The Adam line: torch 1.13's CyclicLR cycles momentum by default and refuses optimizers without it.
        string json = SchedulerCase(scheduler, reason.Contains("Adam") ? ",\"optimizer\":\"Adam\"" : "");

        CaseResult result = Runner.RunJson(json, "s");

        Assert.False(result.Passed);
        Assert.StartsWith(reason, result.FailureReason);
    }

    [Fact]
    public void OneCycleSteppedPastItsTotalIsAFailure()
    {
        string json = SchedulerCase("{\"name\":\"OneCycleLR\",\"args\":{\"max_lr\":1,\"total_steps\":1,\"cycle_momentum\":false}}")
            // torch: OneCycleLR(SGD(lr=0.1), max_lr=1, total_steps=1, cycle_momentum=False) sets these two, then raises.
            .Replace("\"lrs\":[0.1,0.1]", "\"lrs\":[4e-6,0.6112620219362891]");

        CaseResult result = Runner.RunJson(json, "s");

        Assert.Equal("FAIL s: scheduler step after step 2/2 threw InvalidOperationException: Tried to step 3 times. The specified number of total steps is 1.", result.ToString());
    }

    [Fact]
    public void APlateauInAnOptimizerCaseNeedsMetrics()
    {
        CaseResult result = Runner.RunJson(CaseFiles.TinySgd("\"scheduler\":{\"name\":\"ReduceLROnPlateau\"}"), "tiny");

        Assert.Equal("FAIL tiny: ReduceLROnPlateau needs a metric at every step, and the case has none", result.ToString());
    }

    [Theory]
    [InlineData("\"Infinity\"")]
    [InlineData("\"inf\"")]
    [InlineData("Infinity")]
    public void ClippingTakesTheInfinityNorm(string normType)
    {
        // Gradient [0.5, -1]: inf-norm 1, clipped to 0.5 → [0.25, -0.5] (to float rounding); p = [1, 2] - 0.5 g.
        string json = CaseFiles.TinySgd("\"clip_grad_norm\":{\"max_norm\":0.5,\"norm_type\":" + normType + "}")
            .Replace("\"expected\":[[[0.75,2.5]]]", "\"expected\":[[[0.875,2.25]]]");

        CaseResult result = Runner.RunJson(json, "tiny");

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(double.PositiveInfinity, CaseLoader.Load(json, "tiny").Case!.ClipGradNorm!.NormType);
    }

    [Fact]
    public void ANegativeMaxNormIsAFailure()
    {
        CaseResult result = Runner.RunJson(CaseFiles.TinySgd("\"clip_grad_norm\":{\"max_norm\":-1}"), "tiny");

        Assert.StartsWith("FAIL tiny: clip_grad_norm: max_norm -1 is not supported", result.ToString());
    }
}
