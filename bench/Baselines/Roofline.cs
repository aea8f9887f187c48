using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The memory-traffic-equivalent kernel: one fused pass that reads the gradient and every
/// read-write array of an optimizer and writes each back as x·a + g·b, with the same vector width
/// and unaligned loads as the generated kernels. No optimizer can move its bytes faster in one
/// pass, so kernel time over roofline time is how far a kernel is from the memory system.
/// </summary>
public static class Roofline
{
    /// <summary>The most read-write arrays one roofline pass handles (the parameter and four states).</summary>
    public const int MaxReadWriteArrays = 5;

    /// <summary>
    /// Binds a roofline step to the tensor: with the factors 1 and 0 it rewrites every array with
    /// its own value, so the data stay what the optimizer left (the timing runs interleave on the same buffers).
    /// </summary>
    /// <exception cref="NotSupportedException">The arrays are not one read gradient and 1 to <see cref="MaxReadWriteArrays"/> read-write arrays.</exception>
    public static Action<int> Bind(TensorArrays arrays, IReadOnlyList<StepArray> stepArrays, KernelPath path, float scale = 1f, float gradScale = 0f)
    {
        var readWrite = new List<string>();
        string? read = null;
        foreach (StepArray array in stepArrays)
        {
            if (array.Access == ArrayAccess.ReadWrite)
            {
                readWrite.Add(array.Name);
            }
            else if (read is null)
            {
                read = array.Name;
            }
            else
            {
                throw new NotSupportedException($"The roofline reads one array only, not both {read} and {array.Name}.");
            }
        }

        if (read is null || readWrite.Count is 0 or > MaxReadWriteArrays)
        {
            throw new NotSupportedException($"The roofline takes one read array and 1 to {MaxReadWriteArrays} read-write arrays, not: {string.Join(", ", stepArrays)}.");
        }

        KernelPath resolved = KernelDispatch.Resolve(path);
        string[] names = readWrite.ToArray();
        return _ =>
        {
            var passArrays = new PassArrays(arrays.Array(read), names.Length);
            for (int i = 0; i < names.Length; i++)
            {
                passArrays.Set(i, arrays.Array(names[i]));
            }

            Run(resolved, ref passArrays, scale, gradScale);
        };
    }

    /// <summary>The arrays of one pass: the read one and up to five read-write ones.</summary>
    internal ref struct PassArrays
    {
        public ReadOnlySpan<float> Read;
        public Span<float> A0;
        public Span<float> A1;
        public Span<float> A2;
        public Span<float> A3;
        public Span<float> A4;
        public readonly int Count;

        public PassArrays(ReadOnlySpan<float> read, int count)
        {
            Read = read;
            Count = count;
        }

        public void Set(int index, Span<float> array)
        {
            if (array.Length != Read.Length)
            {
                throw new ArgumentException("Every array of a roofline pass has the read array's length.", nameof(array));
            }

            switch (index)
            {
                case 0: A0 = array; break;
                case 1: A1 = array; break;
                case 2: A2 = array; break;
                case 3: A3 = array; break;
                default: A4 = array; break;
            }
        }
    }

    internal static void Run(KernelPath path, ref PassArrays arrays, float scale, float gradScale)
    {
        switch (arrays.Count)
        {
            case 1: RunWidth<Arity1>(path, ref arrays, scale, gradScale); break;
            case 2: RunWidth<Arity2>(path, ref arrays, scale, gradScale); break;
            case 3: RunWidth<Arity3>(path, ref arrays, scale, gradScale); break;
            case 4: RunWidth<Arity4>(path, ref arrays, scale, gradScale); break;
            default: RunWidth<Arity5>(path, ref arrays, scale, gradScale); break;
        }
    }

    private static void RunWidth<TArity>(KernelPath path, ref PassArrays arrays, float scale, float gradScale)
        where TArity : struct, IArity
    {
        nuint done = path switch
        {
            KernelPath.Vector512 => Loop<Lanes512, Vector512<float>, TArity>(ref arrays, 0, scale, gradScale),
            KernelPath.Vector256 => Loop<Lanes256, Vector256<float>, TArity>(ref arrays, 0, scale, gradScale),
            KernelPath.Vector128 => Loop<Lanes128, Vector128<float>, TArity>(ref arrays, 0, scale, gradScale),
            _ => 0,
        };

        Loop<LanesScalar, float, TArity>(ref arrays, done, scale, gradScale);
    }

    /// <summary>Runs whole registers from <paramref name="start"/>; returns where the next width (the scalar tail) starts.</summary>
    private static nuint Loop<TLanes, TVector, TArity>(ref PassArrays arrays, nuint start, float scale, float gradScale)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TArity : struct, IArity
    {
        ref float read = ref MemoryMarshal.GetReference(arrays.Read);
        ref float a0 = ref MemoryMarshal.GetReference(arrays.A0);
        ref float a1 = ref MemoryMarshal.GetReference(arrays.A1);
        ref float a2 = ref MemoryMarshal.GetReference(arrays.A2);
        ref float a3 = ref MemoryMarshal.GetReference(arrays.A3);
        ref float a4 = ref MemoryMarshal.GetReference(arrays.A4);
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
            TLanes.Store(TLanes.Blend(x0, a, g, b), ref a0, i);
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

    internal readonly struct Arity1 : IArity { public static int Value => 1; }
    internal readonly struct Arity2 : IArity { public static int Value => 2; }
    internal readonly struct Arity3 : IArity { public static int Value => 3; }
    internal readonly struct Arity4 : IArity { public static int Value => 4; }
    internal readonly struct Arity5 : IArity { public static int Value => 5; }
}
