using System;
using KernelGen.Bench.Native;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// One built-in optimizer on one tensor in 64-byte aligned buffers, with every contender of a
/// row bound to the same memory: KernelGen's <see cref="Optimizer.Step"/>, the naive loop,
/// the TensorPrimitives composition, the roofline and, when a C compiler built it, the native peer. Each contender computes the same update
/// (or, the roofline, rewrites the values it read), so they can take turns on the buffers.
/// </summary>
public sealed class BenchSubject
{
    private BenchSubject(BenchProfile profile, Optimizer optimizer, TensorArrays arrays, KernelPath path, NativePeer? peer)
    {
        Profile = profile;
        Optimizer = optimizer;
        Arrays = arrays;
        Path = path;
        KernelGen = new StepRunner("KernelGen", _ => optimizer.Step());
        Naive = profile.Naive is null ? null : new StepRunner("naive", profile.Naive(arrays, optimizer));
        TensorPrimitives = profile.TensorPrimitives is null ? null : new StepRunner("TensorPrimitives", profile.TensorPrimitives(arrays, optimizer));
        Roofline = new StepRunner("roofline", Baselines.Roofline.Bind(arrays, profile, path));
        Gcc = peer?.Bind(arrays, optimizer) is Action<int> native ? new StepRunner("gcc", native) : null;
    }

    /// <summary>The profile this subject runs.</summary>
    public BenchProfile Profile { get; }

    /// <summary>The optimizer, with one tensor registered.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The tensor's arrays by the rule's names.</summary>
    public TensorArrays Arrays { get; }

    /// <summary>The path KernelGen and the roofline run (resolved: never <see cref="KernelPath.Auto"/>).</summary>
    public KernelPath Path { get; }

    /// <summary>The optimizer's fused step.</summary>
    public StepRunner KernelGen { get; }

    /// <summary>The hand-written scalar loop, if the profile has one.</summary>
    public StepRunner? Naive { get; }

    /// <summary>The TensorPrimitives composition, if the profile has one.</summary>
    public StepRunner? TensorPrimitives { get; }

    /// <summary>The memory-traffic-equivalent kernel.</summary>
    public StepRunner Roofline { get; }

    /// <summary>The C compiler's build of the same loop, when a peer was given and has this optimizer with these settings.</summary>
    public StepRunner? Gcc { get; }

    /// <summary>
    /// Creates the optimizer with the profile's settings and registers one tensor of
    /// <paramref name="elements"/> elements: parameter and gradient uniform in [−1, 1] from
    /// <paramref name="seed"/>, state zero, all 64-byte aligned. With a <paramref name="peer"/>, its loop is bound too.
    /// </summary>
    public static BenchSubject Create(BenchProfile profile, int elements, KernelPath path = KernelPath.Auto, int seed = 1, NativePeer? peer = null)
    {
        KernelPath resolved = KernelDispatch.Resolve(path);
        Optimizer optimizer = profile.CreateOptimizer();
        optimizer.Path = resolved;
        var random = new Random(seed);
        var parameter = new AlignedBuffer(elements);
        var gradient = new AlignedBuffer(elements);
        Fill(parameter.Span, random);
        Fill(gradient.Span, random);
        ParameterTensor tensor = optimizer.Add(parameter.Memory, gradient.Memory);
        return new BenchSubject(profile, optimizer, new TensorArrays(optimizer, tensor), resolved, peer);
    }

    private static void Fill(Span<float> values, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle() * 2f - 1f;
        }
    }
}
