using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Suite;

/// <summary>
/// Every built-in optimizer against its baselines: KernelGen's step, the naive scalar loop (the
/// baseline of the ratios), the TensorPrimitives composition and the roofline, all on the same
/// 64-byte aligned buffers, at 4 Ki to 16 Mi elements; <see cref="SuiteCommand"/> runs it once per ISA path.
/// The optimizer is a parameter, so a benchmark's full name carries it
/// (<c>OptimizerBenchmarks.Naive(Elements: 4096, Optimizer: "AdamW")</c>): <c>--filter '*AdamW*'</c>
/// picks AdamW and ScheduleFreeAdamW, <c>--filter '*"AdamW"*'</c> AdamW alone.
/// </summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    private BenchSubject? _subject;

    /// <summary>The name <see cref="BuiltInOptimizers"/> knows the optimizer by.</summary>
    [ParamsSource(nameof(Optimizers))]
    public string Optimizer { get; set; } = "SGD";

    /// <summary>The tensor size, in elements.</summary>
    [Params(4 << 10, 64 << 10, 1 << 20, 16 << 20)]
    public int Elements { get; set; }

    /// <summary>Every built-in optimizer, in the order <see cref="BuiltInOptimizers.Names"/> lists them.</summary>
    public static IEnumerable<string> Optimizers => BuiltInOptimizers.Names;

    private BenchSubject Subject => _subject ?? throw new InvalidOperationException("The global setup has not run.");

    /// <summary>Registers the tensor and binds the contenders, then checks the baselines against the optimizer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchProfile profile = BenchProfiles.For(Optimizer);
        var problems = BaselineCheck.Run(profile);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        _subject = BenchSubject.Create(profile, Elements);
    }

    /// <summary>KernelGen's fused step, through <see cref="KernelGen.Optimizer.Step"/>.</summary>
    [Benchmark]
    public void KernelGen() => Subject.KernelGen.Step();

    /// <summary>The scalar loop a user writes by hand.</summary>
    [Benchmark(Baseline = true)]
    public void Naive() => Required(Subject.Naive).Step();

    /// <summary>The same step composed from TensorPrimitives calls.</summary>
    [Benchmark]
    public void TensorPrimitives() => Required(Subject.TensorPrimitives).Step();

    /// <summary>The memory-traffic-equivalent kernel.</summary>
    [Benchmark]
    public void Roofline() => Subject.Roofline.Step();

    private StepRunner Required(StepRunner? runner) =>
        runner ?? throw new InvalidOperationException($"{Optimizer} has no hand-written baseline in bench/Baselines yet.");
}
