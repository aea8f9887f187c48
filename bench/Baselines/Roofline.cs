using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The memory-traffic-equivalent kernel: one fused pass that reads the gradient and every
/// read-write array of an optimizer and writes each back as x·a + g·b, with the same vector width
/// and unaligned loads as the generated kernels. No optimizer can move its bytes faster in one
/// pass, so kernel time over roofline time is how far a kernel is from the memory system.
/// </summary>
public static partial class Roofline
{
    /// <summary>The most read-write arrays one roofline pass handles (the parameter and four states).</summary>
    public const int MaxReadWriteArrays = 5;

    /// <summary>The most arrays a reducing pass reads (Lamb's: the gradient, two moments and the parameter).</summary>
    public const int MaxReducedArrays = 4;

    /// <summary>
    /// Binds a roofline step to the tensor: with the factors 1 and 0 it rewrites every array with
    /// its own value, so the data stay what the optimizer left (the timing runs interleave on the
    /// same buffers). A write-only array receives the first read-write array's new value (ASGD's
    /// average is the parameter's copy). A profile with a reducing pass first reads those arrays in
    /// one pass and sums their squares (the sum goes to <paramref name="observeReduction"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">The arrays are not one read gradient, 1 to <see cref="MaxReadWriteArrays"/> read-write arrays and at most one write-only array, or the reducing pass reads more than <see cref="MaxReducedArrays"/>.</exception>
    public static Action<int> Bind(TensorArrays arrays, BenchProfile profile, KernelPath path, float scale = 1f, float gradScale = 0f,
        Action<float>? observeReduction = null)
    {
        (string read, string[] names, string? written) = Split(profile.Arrays);
        string[] reduced = profile.ReducingPass.Select(static a => a.Name).ToArray();
        if (reduced.Length > MaxReducedArrays || profile.ReducingPass.Any(static a => a.Access != ArrayAccess.Read))
        {
            throw new NotSupportedException($"A reducing pass reads 1 to {MaxReducedArrays} arrays, not: {string.Join(", ", profile.ReducingPass)}.");
        }

        KernelPath resolved = KernelDispatch.Resolve(path);
        float reduction = 0f;
        return _ =>
        {
            if (reduced.Length > 0)
            {
                var reducedArrays = new PassArrays(arrays.Array(reduced[0]), reduced.Length - 1);
                for (int i = 1; i < reduced.Length; i++)
                {
                    reducedArrays.Set(i - 1, arrays.Array(reduced[i]));
                }

                // Kept in the closure, so the pass cannot be optimized away.
                reduction = Reduce(resolved, ref reducedArrays);
                observeReduction?.Invoke(reduction);
            }

            var passArrays = new PassArrays(arrays.Array(read), names.Length);
            for (int i = 0; i < names.Length; i++)
            {
                passArrays.Set(i, arrays.Array(names[i]));
            }

            if (written is not null)
            {
                passArrays.SetWritten(arrays.Array(written));
            }

            Run(resolved, ref passArrays, scale, gradScale);
        };
    }

    private static (string Read, string[] ReadWrite, string? Written) Split(IReadOnlyList<StepArray> stepArrays)
    {
        var readWrite = new List<string>();
        string? read = null;
        string? written = null;
        foreach (StepArray array in stepArrays)
        {
            switch (array.Access)
            {
                case ArrayAccess.ReadWrite:
                    readWrite.Add(array.Name);
                    break;
                case ArrayAccess.Write when written is null:
                    written = array.Name;
                    break;
                case ArrayAccess.Read when read is null:
                    read = array.Name;
                    break;
                default:
                    throw new NotSupportedException($"The roofline reads one array only and writes one write-only array at most, not: {string.Join(", ", stepArrays)}.");
            }
        }

        if (read is null || readWrite.Count is 0 or > MaxReadWriteArrays)
        {
            throw new NotSupportedException($"The roofline takes one read array and 1 to {MaxReadWriteArrays} read-write arrays, not: {string.Join(", ", stepArrays)}.");
        }

        return (read, readWrite.ToArray(), written);
    }

    /// <summary>The arrays of one pass: the read one, up to five read-write ones and at most one write-only one.</summary>
    internal ref struct PassArrays
    {
        public ReadOnlySpan<float> Read;
        public Span<float> A0;
        public Span<float> A1;
        public Span<float> A2;
        public Span<float> A3;
        public Span<float> A4;
        public Span<float> Written;
        public readonly int Count;
        public bool HasWritten;

        public PassArrays(ReadOnlySpan<float> read, int count)
        {
            Read = read;
            Count = count;
        }

        public void Set(int index, Span<float> array)
        {
            CheckLength(array);
            switch (index)
            {
                case 0: A0 = array; break;
                case 1: A1 = array; break;
                case 2: A2 = array; break;
                case 3: A3 = array; break;
                default: A4 = array; break;
            }
        }

        public void SetWritten(Span<float> array)
        {
            CheckLength(array);
            Written = array;
            HasWritten = true;
        }

        private readonly void CheckLength(Span<float> array)
        {
            if (array.Length != Read.Length)
            {
                throw new ArgumentException("Every array of a roofline pass has the read array's length.", nameof(array));
            }
        }
    }

    internal static void Run(KernelPath path, ref PassArrays arrays, float scale, float gradScale)
    {
        if (arrays.HasWritten)
        {
            RunArity<Arity1>(path, ref arrays, scale, gradScale);
        }
        else
        {
            RunArity<Arity0>(path, ref arrays, scale, gradScale);
        }
    }

    private static void RunArity<TWritten>(KernelPath path, ref PassArrays arrays, float scale, float gradScale)
        where TWritten : struct, IArity
    {
        switch (arrays.Count)
        {
            case 1: RunWidth<Arity1, TWritten>(path, ref arrays, scale, gradScale); break;
            case 2: RunWidth<Arity2, TWritten>(path, ref arrays, scale, gradScale); break;
            case 3: RunWidth<Arity3, TWritten>(path, ref arrays, scale, gradScale); break;
            case 4: RunWidth<Arity4, TWritten>(path, ref arrays, scale, gradScale); break;
            default: RunWidth<Arity5, TWritten>(path, ref arrays, scale, gradScale); break;
        }
    }

    private static void RunWidth<TArity, TWritten>(KernelPath path, ref PassArrays arrays, float scale, float gradScale)
        where TArity : struct, IArity
        where TWritten : struct, IArity
    {
        nuint done = path switch
        {
            KernelPath.Vector512 => Loop<Lanes512, Vector512<float>, TArity, TWritten>(ref arrays, 0, scale, gradScale),
            KernelPath.Vector256 => Loop<Lanes256, Vector256<float>, TArity, TWritten>(ref arrays, 0, scale, gradScale),
            KernelPath.Vector128 => Loop<Lanes128, Vector128<float>, TArity, TWritten>(ref arrays, 0, scale, gradScale),
            _ => 0,
        };

        Loop<LanesScalar, float, TArity, TWritten>(ref arrays, done, scale, gradScale);
    }

    /// <summary>Runs whole registers from <paramref name="start"/>; returns where the next width (the scalar tail) starts.</summary>
    private static nuint Loop<TLanes, TVector, TArity, TWritten>(ref PassArrays arrays, nuint start, float scale, float gradScale)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TArity : struct, IArity
        where TWritten : struct, IArity
    {
        ref float read = ref MemoryMarshal.GetReference(arrays.Read);
        ref float a0 = ref MemoryMarshal.GetReference(arrays.A0);
        ref float a1 = ref MemoryMarshal.GetReference(arrays.A1);
        ref float a2 = ref MemoryMarshal.GetReference(arrays.A2);
        ref float a3 = ref MemoryMarshal.GetReference(arrays.A3);
        ref float a4 = ref MemoryMarshal.GetReference(arrays.A4);
        ref float w = ref MemoryMarshal.GetReference(arrays.Written);
        TVector a = TLanes.Broadcast(scale);
        TVector b = TLanes.Broadcast(gradScale);
        nuint length = (nuint)arrays.Read.Length;
        nuint i = start;
        for (; i + TLanes.Count <= length; i += TLanes.Count)
        {
            // Every load first, then every store, as the generated kernels order them: measured
            // here, that order moves the same bytes up to 10% faster than load-store pairs (and
            // 20% faster on misaligned buffers), so it is the floor a kernel is held to.
            // Unused arrays are empty spans whose references are never touched: TArity removes their code.
            TVector g = TLanes.Load(ref read, i);
            TVector x0 = TLanes.Load(ref a0, i);
            TVector x1 = TArity.Value >= 2 ? TLanes.Load(ref a1, i) : default;
            TVector x2 = TArity.Value >= 3 ? TLanes.Load(ref a2, i) : default;
            TVector x3 = TArity.Value >= 4 ? TLanes.Load(ref a3, i) : default;
            TVector x4 = TArity.Value >= 5 ? TLanes.Load(ref a4, i) : default;
            TVector y0 = TLanes.Blend(x0, a, g, b);
            TLanes.Store(y0, ref a0, i);
            if (TWritten.Value >= 1) TLanes.Store(y0, ref w, i);
            if (TArity.Value >= 2) TLanes.Store(TLanes.Blend(x1, a, g, b), ref a1, i);
            if (TArity.Value >= 3) TLanes.Store(TLanes.Blend(x2, a, g, b), ref a2, i);
            if (TArity.Value >= 4) TLanes.Store(TLanes.Blend(x3, a, g, b), ref a3, i);
            if (TArity.Value >= 5) TLanes.Store(TLanes.Blend(x4, a, g, b), ref a4, i);
        }

        return i;
    }

    /// <summary>The number of read-write arrays as a type, so the JIT compiles one loop per count without branches.</summary>
    internal interface IArity
    {
        static abstract int Value { get; }
    }

    internal readonly struct Arity0 : IArity { public static int Value => 0; }
    internal readonly struct Arity1 : IArity { public static int Value => 1; }
    internal readonly struct Arity2 : IArity { public static int Value => 2; }
    internal readonly struct Arity3 : IArity { public static int Value => 3; }
    internal readonly struct Arity4 : IArity { public static int Value => 4; }
    internal readonly struct Arity5 : IArity { public static int Value => 5; }
}
