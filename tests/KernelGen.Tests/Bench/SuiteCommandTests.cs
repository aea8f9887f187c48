using System.Linq;
using BenchmarkDotNet.Jobs;
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
}
