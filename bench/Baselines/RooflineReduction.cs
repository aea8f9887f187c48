using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Bench.Baselines;

/// <summary>The reducing pass of the roofline: what a kernel with per-tensor norms reads before its update.</summary>
public static partial class Roofline
{
    /// <summary>Reads every array of <paramref name="arrays"/> once (the read one and <see cref="PassArrays.Count"/> more) and returns the sum of their squares.</summary>
    internal static float Reduce(KernelPath path, ref PassArrays arrays) => arrays.Count switch
    {
        0 => ReduceWidth<Arity0>(path, ref arrays),
        1 => ReduceWidth<Arity1>(path, ref arrays),
        2 => ReduceWidth<Arity2>(path, ref arrays),
        _ => ReduceWidth<Arity3>(path, ref arrays),
    };

    private static float ReduceWidth<TArity>(KernelPath path, ref PassArrays arrays)
        where TArity : struct, IArity
    {
        nuint i = 0;
        float sum = path switch
        {
            KernelPath.Vector512 => SumOfSquares<Lanes512, Vector512<float>, TArity>(ref arrays, ref i),
            KernelPath.Vector256 => SumOfSquares<Lanes256, Vector256<float>, TArity>(ref arrays, ref i),
            KernelPath.Vector128 => SumOfSquares<Lanes128, Vector128<float>, TArity>(ref arrays, ref i),
            _ => 0f,
        };

        return sum + SumOfSquares<LanesScalar, float, TArity>(ref arrays, ref i);
    }

    /// <summary>Whole registers from <paramref name="i"/> on, one accumulator per array as the kernels keep one per norm; advances <paramref name="i"/>.</summary>
    private static float SumOfSquares<TLanes, TVector, TArity>(ref PassArrays arrays, ref nuint i)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TArity : struct, IArity
    {
        ref float read = ref MemoryMarshal.GetReference(arrays.Read);
        ref float a0 = ref MemoryMarshal.GetReference(arrays.A0);
        ref float a1 = ref MemoryMarshal.GetReference(arrays.A1);
        ref float a2 = ref MemoryMarshal.GetReference(arrays.A2);
        TVector sum = TLanes.Broadcast(0f);
        TVector sum0 = sum;
        TVector sum1 = sum;
        TVector sum2 = sum;
        nuint length = (nuint)arrays.Read.Length;
        for (; i + TLanes.Count <= length; i += TLanes.Count)
        {
            TVector r = TLanes.Load(ref read, i);
            TVector x0 = TArity.Value >= 1 ? TLanes.Load(ref a0, i) : default;
            TVector x1 = TArity.Value >= 2 ? TLanes.Load(ref a1, i) : default;
            TVector x2 = TArity.Value >= 3 ? TLanes.Load(ref a2, i) : default;
            sum = TLanes.AddSquare(sum, r);
            if (TArity.Value >= 1) sum0 = TLanes.AddSquare(sum0, x0);
            if (TArity.Value >= 2) sum1 = TLanes.AddSquare(sum1, x1);
            if (TArity.Value >= 3) sum2 = TLanes.AddSquare(sum2, x2);
        }

        return TLanes.Sum(sum) + TLanes.Sum(sum0) + TLanes.Sum(sum1) + TLanes.Sum(sum2);
    }
}
