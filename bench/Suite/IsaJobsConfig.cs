using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace KernelGen.Bench.Suite;

/// <summary>
/// One job per ISA path, narrowed the way a user narrows it: the runtime's own switches, set in
/// the environment of each benchmark process. KernelGen (on <see cref="KernelPath.Auto"/>),
/// TensorPrimitives and the roofline all follow them, so each job compares like with like.
/// </summary>
public static class IsaJobsConfig
{
    /// <summary>BenchmarkDotNet's default config (loggers, exporters, columns) with four jobs, each a copy of <paramref name="baseJob"/> (its run strategy and counts) with one ISA setting.</summary>
    public static ManualConfig Create(Job baseJob)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance);
        config.AddJob(baseJob.WithId("Best"));
        config.AddJob(Narrowed(baseJob, "NoAvx512", "DOTNET_EnableAVX512"));
        config.AddJob(Narrowed(baseJob, "NoAvx2", "DOTNET_EnableAVX2"));
        config.AddJob(Narrowed(baseJob, "NoSimd", "DOTNET_EnableHWIntrinsic"));
        return config;
    }

    private static Job Narrowed(Job baseJob, string id, string variable) =>
        baseJob.WithEnvironmentVariables(new EnvironmentVariable(variable, "0")).WithId(id);
}
