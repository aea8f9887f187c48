using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using KernelGen.Bench.Suite;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>The BenchmarkDotNet suite's jobs: one per ISA path, shaped by the user's <c>--job</c>.</summary>
public class SuiteCommandTests
{
    [Fact]
    public void JobArgumentBecomesTheBaseOfTheIsaJobs()
    {
        (Job baseJob, string[] remaining) = SuiteCommand.TakeBaseJob(new[] { "--filter", "*AdamW*", "--job", "Dry" });
        Assert.Equal(new[] { "--filter", "*AdamW*" }, remaining);
        Job[] jobs = IsaJobsConfig.Create(baseJob).GetJobs().ToArray();

        Assert.Equal(new[] { "Best", "NoAvx512", "NoAvx2", "NoSimd" }, jobs.Select(j => j.Id));
        Assert.All(jobs, j => Assert.Equal(Job.Dry.Run.IterationCount, j.Run.IterationCount));
        Assert.True(jobs[0].Environment.EnvironmentVariables is null or { Count: 0 });
        Assert.Equal(new[] { "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic" },
            jobs.Skip(1).Select(j => j.Environment.EnvironmentVariables!.Single().Key));
        Assert.All(jobs.Skip(1), j => Assert.Equal("0", j.Environment.EnvironmentVariables!.Single().Value));
    }

    [Fact]
    public void WithoutAJobArgumentTheDefaultJobRunsAndArgumentsPassThrough()
    {
        (Job baseJob, string[] remaining) = SuiteCommand.TakeBaseJob(new[] { "--filter", "*SGD*", "--job", "Unheard" });
        Assert.Same(Job.Default, baseJob);
        Assert.Equal(new[] { "--filter", "*SGD*", "--job", "Unheard" }, remaining);
    }

    [Fact]
    public void TheSuiteBenchmarksEveryBuiltInOptimizerWithFourContendersAtFourSizes()
    {
        BenchmarkCase[] cases = Cases();
        Assert.Equal(BuiltInOptimizers.Names.Count() * 4 * 4, cases.Length);
        Assert.Equal(BuiltInOptimizers.Names.OrderBy(n => n), cases.Select(Optimizer).Distinct().OrderBy(n => n));
        Assert.Equal(new[] { "KernelGen", "Naive", "Roofline", "TensorPrimitives" },
            cases.Select(c => c.Descriptor.WorkloadMethod.Name).Distinct().OrderBy(n => n));
        Assert.All(cases.Where(c => c.Descriptor.Baseline), c => Assert.Equal("Naive", c.Descriptor.WorkloadMethod.Name));
    }

    [Fact]
    public void TheDocumentedFiltersPickTheirOptimizers()
    {
        Assert.Equal(new[] { "AdamW", "ScheduleFreeAdamW" }, Cases("*AdamW*").Select(Optimizer).Distinct().OrderBy(n => n));
        // A benchmark's full name is OptimizerBenchmarks.Naive(Elements: 4096, Optimizer: "AdamW").
        Assert.Equal(new[] { "AdamW" }, Cases("*\"AdamW\"*").Select(Optimizer).Distinct());
        BenchmarkCase[] smoke = Cases("*(Elements: 4096, Optimizer: \"Lion\")");
        Assert.Equal(4, smoke.Length);
        Assert.All(smoke, c => Assert.Equal("Lion", Optimizer(c)));
    }

    private static BenchmarkCase[] Cases(params string[] filters)
    {
        ManualConfig config = IsaJobsConfig.Create(Job.Dry);
        if (filters.Length > 0)
        {
            config.AddFilter(new GlobFilter(filters));
        }

        // One job's cases: the four ISA jobs repeat each.
        return BenchmarkConverter.TypeToBenchmarks(typeof(OptimizerBenchmarks), config).BenchmarksCases
            .Where(c => c.Job.Id == "Best").ToArray();
    }

    private static string Optimizer(BenchmarkCase benchmark) => (string)benchmark.Parameters["Optimizer"];
}
