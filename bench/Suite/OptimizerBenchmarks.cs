using System;
using BenchmarkDotNet.Attributes;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Suite;

/// <summary>
/// One built-in optimizer against its baselines: KernelGen's step, the naive scalar loop (the
/// baseline of the ratios), the TensorPrimitives composition and the roofline, all on the same
/// 64-byte aligned buffers, at 4 Ki to 16 Mi elements; <see cref="SuiteCommand"/> runs it once per ISA path.
/// Derived classes name the optimizer, so <c>--filter *AdamW*</c> picks it.
/// </summary>
[MemoryDiagnoser]
public abstract class OptimizerBenchmarks
{
    private BenchSubject? _subject;

    /// <summary>The tensor size, in elements.</summary>
    [Params(4 << 10, 64 << 10, 1 << 20, 16 << 20)]
    public int Elements { get; set; }

    /// <summary>The name <see cref="BuiltInOptimizers"/> knows the optimizer by.</summary>
    protected abstract string OptimizerName { get; }

    private BenchSubject Subject => _subject ?? throw new InvalidOperationException("The global setup has not run.");

    /// <summary>Registers the tensor and binds the contenders, then checks the baselines against the optimizer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchProfile profile = BenchProfiles.For(OptimizerName);
        var problems = BaselineCheck.Run(profile);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        _subject = BenchSubject.Create(profile, Elements);
    }

    /// <summary>KernelGen's fused step, through <see cref="Optimizer.Step"/>.</summary>
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
        runner ?? throw new InvalidOperationException($"{OptimizerName} has no hand-written baseline in bench/Baselines yet.");
}

/// <summary>SGD with momentum 0.9.</summary>
public class SgdBenchmarks : OptimizerBenchmarks
{
    /// <inheritdoc/>
    protected override string OptimizerName => "SGD";
}

/// <summary>Adam with torch's defaults.</summary>
public class AdamBenchmarks : OptimizerBenchmarks
{
    /// <inheritdoc/>
    protected override string OptimizerName => "Adam";
}

/// <summary>AdamW with torch's defaults.</summary>
public class AdamWBenchmarks : OptimizerBenchmarks
{
    /// <inheritdoc/>
    protected override string OptimizerName => "AdamW";
}
