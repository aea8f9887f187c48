using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET
using System.Runtime.Intrinsics;
#endif
using KernelGen.Internal;

namespace KernelGen.Training;

/// <summary>
/// Gradient clipping with the semantics of <c>torch.nn.utils.clip_grad_norm_</c> and
/// <c>clip_grad_value_</c> (PyTorch 1.13): in place on the gradients registered with optimizers,
/// vectorized, allocation-free.
/// </summary>
/// <remarks>
/// <para>The norm is one read pass over every gradient. Squares (or absolute values) are summed
/// in double, each element into lane <c>index mod 8</c> of eight accumulators (the index within
/// its tensor; tensors in order), and the lanes are added pairwise at the end. Every path
/// (Vector512, Vector256, Vector128, scalar) performs exactly these double operations (a float
/// squared is exact in double), so the norm has the same bits on every instruction set. It is
/// also closer to the exact norm than torch's float sum: the two agree to a few float ulps.</para>
/// <para>Non-finite gradients behave as in torch 1.13: an infinite element makes the norm
/// infinite, the coefficient 0, and the scaled gradients 0 where finite and NaN where infinite
/// (∞·0); a NaN element makes the norm NaN, and torch then multiplies every gradient by NaN.
/// Pass <c>errorIfNonfinite</c> to throw instead, before anything is written.</para>
/// </remarks>
public static class GradientClipping
{
    // torch adds this to the norm before dividing.
    private const float NormEpsilon = 1e-6f;

    /// <summary>
    /// Compiles every method clipping runs (the norms, scaling and clamping on every path), fully
    /// optimized, so that the first clip after it does not wait for the JIT: call it at load, on any
    /// thread. It reads and writes no gradient of the caller's (it clips a scratch tensor of its own
    /// once, so that the calls' first-time costs are paid here too); after its first call it allocates nothing.
    /// </summary>
    public static void Warm()
    {
        WarmUp.CallMathFunctions(); // the p-norms' powers
        WarmUp.PrepareOptimized(typeof(GradientClipping));
        WarmUp.PrepareOptimized(typeof(TensorSource));
        WarmUp.PrepareOptimized(typeof(Lanes));

        // Compiled is not yet called: an interface call site binds its stub at its first call, and a
        // clip through the tensor list does that here rather than in the first frame.
        lock (s_scratchLock)
        {
            s_scratch ??= [ScratchTensor()];
            s_scratch[0].Gradient.Span.Fill(1f); // a norm above 1, so the scaling runs too
            ClipGradNorm(s_scratch, maxNorm: 1f);
        }
    }

    private static readonly object s_scratchLock = new();
    private static List<ParameterTensor>? s_scratch;

    private static ParameterTensor ScratchTensor() => new(
        0, TensorMemory.Of(new float[WarmUp.ScratchLength]), TensorMemory.Of(new float[WarmUp.ScratchLength]), stateCount: 0, tensorStateCount: 0, StateStorage.Float32);

    /// <summary>Clips the gradients of <paramref name="optimizer"/>'s tensors by their total norm, on its <see cref="Optimizer.Path"/>.</summary>
    /// <inheritdoc cref="ClipGradNorm(IReadOnlyList{ParameterTensor}, float, float, bool, KernelPath)"/>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static float ClipGradNorm(Optimizer optimizer, float maxNorm, float normType = 2f, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return ClipGradNorm(new TensorSource(optimizer.Tensors), maxNorm, normType, errorIfNonfinite, optimizer.Path);
    }

    /// <summary>
    /// Clips the gradients of every tensor of every optimizer (all parameter groups of a model)
    /// by their total norm.
    /// </summary>
    /// <inheritdoc cref="ClipGradNorm(IReadOnlyList{ParameterTensor}, float, float, bool, KernelPath)"/>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static float ClipGradNorm(IReadOnlyList<Optimizer> optimizers, float maxNorm, float normType = 2f, bool errorIfNonfinite = false, KernelPath path = KernelPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(optimizers);
        return ClipGradNorm(new TensorSource(optimizers), maxNorm, normType, errorIfNonfinite, path);
    }

    /// <summary>
    /// torch <c>clip_grad_norm_</c>: computes the norm of all gradients together (as one
    /// concatenated vector) and, when it exceeds <paramref name="maxNorm"/>, scales them all by
    /// maxNorm / (norm + 1e-6), computed in float as torch does.
    /// </summary>
    /// <param name="tensors">The tensors whose <see cref="ParameterTensor.Gradient"/> is clipped in place.</param>
    /// <param name="maxNorm">The largest norm allowed (not negative).</param>
    /// <param name="normType">The p of the p-norm: 2, 1 and <see cref="float.PositiveInfinity"/> are vectorized; any other finite p &gt; 0 runs a scalar loop.</param>
    /// <param name="errorIfNonfinite">Throw when the norm is NaN or infinite instead of scaling by it.</param>
    /// <param name="path">The instruction-set path; every path gives the same bits.</param>
    /// <returns>The total norm before clipping, as a float (torch returns a float32 tensor).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN, or <paramref name="normType"/> is not a p &gt; 0.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="errorIfNonfinite"/> is set and the norm is not finite.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static float ClipGradNorm(IReadOnlyList<ParameterTensor> tensors, float maxNorm, float normType = 2f, bool errorIfNonfinite = false, KernelPath path = KernelPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return ClipGradNorm(new TensorSource(tensors), maxNorm, normType, errorIfNonfinite, path);
    }

    /// <summary>The total <paramref name="normType"/>-norm of the tensors' gradients, as <see cref="ClipGradNorm(IReadOnlyList{ParameterTensor}, float, float, bool, KernelPath)"/> computes it, without clipping.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="normType"/> is not a p &gt; 0.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static float TotalNorm(IReadOnlyList<ParameterTensor> tensors, float normType = 2f, KernelPath path = KernelPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        CheckNormType(normType);
        return TotalNorm(new TensorSource(tensors), normType, KernelDispatch.Resolve(path));
    }

    /// <summary>torch <c>clip_grad_value_</c> on <paramref name="optimizer"/>'s tensors, on its <see cref="Optimizer.Path"/>.</summary>
    /// <inheritdoc cref="ClipGradValue(IReadOnlyList{ParameterTensor}, float, KernelPath)"/>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static void ClipGradValue(Optimizer optimizer, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ClipGradValue(new TensorSource(optimizer.Tensors), clipValue, optimizer.Path);
    }

    /// <summary>torch <c>clip_grad_value_</c> on the tensors of every optimizer.</summary>
    /// <inheritdoc cref="ClipGradValue(IReadOnlyList{ParameterTensor}, float, KernelPath)"/>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static void ClipGradValue(IReadOnlyList<Optimizer> optimizers, float clipValue, KernelPath path = KernelPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(optimizers);
        ClipGradValue(new TensorSource(optimizers), clipValue, path);
    }

    /// <summary>
    /// torch <c>clip_grad_value_</c>: clamps every gradient element to
    /// [-<paramref name="clipValue"/>, <paramref name="clipValue"/>] in place; NaN stays NaN.
    /// </summary>
    /// <param name="tensors">The tensors whose gradients are clamped.</param>
    /// <param name="clipValue">The largest magnitude allowed (not negative).</param>
    /// <param name="path">The instruction-set path; every path gives the same bits.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or NaN (torch would set every element to it).</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public static void ClipGradValue(IReadOnlyList<ParameterTensor> tensors, float clipValue, KernelPath path = KernelPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ClipGradValue(new TensorSource(tensors), clipValue, path);
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static float ClipGradNorm(TensorSource source, float maxNorm, float normType, bool errorIfNonfinite, KernelPath path)
    {
        if (!(maxNorm >= 0))
        {
            // torch would scale by a negative coefficient, flipping the gradients.
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The largest norm must be a non-negative number.");
        }

        CheckNormType(normType);
        KernelPath resolved = KernelDispatch.Resolve(path);
        float totalNorm = TotalNorm(source, normType, resolved);
        if (errorIfNonfinite && !float.IsFinite(totalNorm))
        {
            throw new InvalidOperationException(
                $"The total norm of order {normType} for gradients is non-finite, so it cannot be clipped. To scale the gradients by the non-finite norm anyway, leave errorIfNonfinite false.");
        }

        // torch: max_norm / (total_norm + 1e-6) on a float32 tensor is reciprocal(...) * max_norm,
        // then clamp(max=1.0), which keeps NaN.
        float coefficient = 1f / (totalNorm + NormEpsilon) * maxNorm;
        if (coefficient > 1f)
        {
            coefficient = 1f;
        }

        // Multiplying by 1 changes no bit; torch does it anyway to avoid a device sync.
        if (coefficient != 1f)
        {
            for (int t = 0; t < source.Count; t++)
            {
                Scale(source[t].Gradient.Span, coefficient, resolved);
            }
        }

        return totalNorm;
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void ClipGradValue(TensorSource source, float clipValue, KernelPath path)
    {
        if (!(clipValue >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "The clip value must be a non-negative number.");
        }

        KernelPath resolved = KernelDispatch.Resolve(path);
        for (int t = 0; t < source.Count; t++)
        {
            Clamp(source[t].Gradient.Span, clipValue, resolved);
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void CheckNormType(float normType)
    {
        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "The norm type must be a p > 0 (2, 1 and infinity are vectorized).");
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static float TotalNorm(TensorSource source, float normType, KernelPath path)
    {
        if (float.IsPositiveInfinity(normType))
        {
            float max = 0;
            bool nan = false;
            for (int t = 0; t < source.Count; t++)
            {
                MaxAbs(source[t].Gradient.Span, ref max, ref nan, path);
            }

            // torch's max propagates NaN.
            return nan ? float.NaN : max;
        }

        var lanes = default(Lanes);
        if (normType == 2f || normType == 1f)
        {
            bool squares = normType == 2f;
            for (int t = 0; t < source.Count; t++)
            {
                Accumulate(source[t].Gradient.Span, ref lanes, squares, path);
            }

            double sum = lanes.Sum();
            return (float)(squares ? Math.Sqrt(sum) : sum);
        }

        // Any other p: not worth vectorizing; the same lanes keep the order fixed.
        for (int t = 0; t < source.Count; t++)
        {
            Span<float> gradient = source[t].Gradient.Span;
            for (int i = 0; i < gradient.Length; i++)
            {
                lanes[i & 7] += Math.Pow(Math.Abs((double)gradient[i]), normType);
            }
        }

        return (float)Math.Pow(lanes.Sum(), 1.0 / normType);
    }

    /// <summary>Adds x² (or |x|) of each element into lane <c>i mod 8</c>, in index order.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void Accumulate(ReadOnlySpan<float> x, ref Lanes lanes, bool squares, KernelPath path)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int i = 0;
#if NET
        if (path == KernelPath.Vector512)
        {
            Vector512<double> acc = Vector512.LoadUnsafe(ref lanes[0]);
            for (; i <= x.Length - 16; i += 16)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref start, (nuint)i));
                acc += squares ? lo * lo : Vector512.Abs(lo);
                acc += squares ? hi * hi : Vector512.Abs(hi);
            }

            acc.StoreUnsafe(ref lanes[0]);
        }
        else if (path == KernelPath.Vector256)
        {
            Vector256<double> acc0 = Vector256.LoadUnsafe(ref lanes[0]);
            Vector256<double> acc1 = Vector256.LoadUnsafe(ref lanes[4]);
            for (; i <= x.Length - 8; i += 8)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                acc0 += squares ? lo * lo : Vector256.Abs(lo);
                acc1 += squares ? hi * hi : Vector256.Abs(hi);
            }

            acc0.StoreUnsafe(ref lanes[0]);
            acc1.StoreUnsafe(ref lanes[4]);
        }
        else if (path == KernelPath.Vector128)
        {
            Vector128<double> acc0 = Vector128.LoadUnsafe(ref lanes[0]);
            Vector128<double> acc1 = Vector128.LoadUnsafe(ref lanes[2]);
            Vector128<double> acc2 = Vector128.LoadUnsafe(ref lanes[4]);
            Vector128<double> acc3 = Vector128.LoadUnsafe(ref lanes[6]);
            for (; i <= x.Length - 8; i += 8)
            {
                (Vector128<double> a, Vector128<double> b) = Vector128.Widen(Vector128.LoadUnsafe(ref start, (nuint)i));
                (Vector128<double> c, Vector128<double> d) = Vector128.Widen(Vector128.LoadUnsafe(ref start, (nuint)(i + 4)));
                acc0 += squares ? a * a : Vector128.Abs(a);
                acc1 += squares ? b * b : Vector128.Abs(b);
                acc2 += squares ? c * c : Vector128.Abs(c);
                acc3 += squares ? d * d : Vector128.Abs(d);
            }

            acc0.StoreUnsafe(ref lanes[0]);
            acc1.StoreUnsafe(ref lanes[2]);
            acc2.StoreUnsafe(ref lanes[4]);
            acc3.StoreUnsafe(ref lanes[6]);
        }
#endif

        // The tail, and the whole tensor on the scalar path: blocks start at multiples of 8, so
        // element i still goes to lane i mod 8.
        for (; i < x.Length; i++)
        {
            double value = Unsafe.Add(ref start, i);
            lanes[i & 7] += squares ? value * value : Math.Abs(value);
        }
    }

    /// <summary>The largest |x| (exact in any order) and whether any element is NaN.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void MaxAbs(ReadOnlySpan<float> x, ref float max, ref bool nan, KernelPath path)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int i = 0;
#if NET
        if (path == KernelPath.Vector512)
        {
            Vector512<float> best = Vector512.Create(max);
            Vector512<float> ordered = Vector512<float>.AllBitsSet;
            for (; i <= x.Length - 16; i += 16)
            {
                Vector512<float> v = Vector512.Abs(Vector512.LoadUnsafe(ref start, (nuint)i));
                ordered &= Vector512.Equals(v, v); // all ones unless a lane saw NaN
                best = NativeMax(best, v);
            }

            max = MathF.Max(max, Vector256.Max(best.GetLower(), best.GetUpper()).ToScalarMax());
            nan |= !Vector512.EqualsAll(ordered.AsUInt32(), Vector512<uint>.AllBitsSet);
        }
        else if (path == KernelPath.Vector256)
        {
            Vector256<float> best = Vector256.Create(max);
            Vector256<float> ordered = Vector256<float>.AllBitsSet;
            for (; i <= x.Length - 8; i += 8)
            {
                Vector256<float> v = Vector256.Abs(Vector256.LoadUnsafe(ref start, (nuint)i));
                ordered &= Vector256.Equals(v, v);
                best = NativeMax(best, v);
            }

            max = MathF.Max(max, best.ToScalarMax());
            nan |= !Vector256.EqualsAll(ordered.AsUInt32(), Vector256<uint>.AllBitsSet);
        }
        else if (path == KernelPath.Vector128)
        {
            Vector128<float> best = Vector128.Create(max);
            Vector128<float> ordered = Vector128<float>.AllBitsSet;
            for (; i <= x.Length - 4; i += 4)
            {
                Vector128<float> v = Vector128.Abs(Vector128.LoadUnsafe(ref start, (nuint)i));
                ordered &= Vector128.Equals(v, v);
                best = NativeMax(best, v);
            }

            max = MathF.Max(max, best.ToScalarMax());
            nan |= !Vector128.EqualsAll(ordered.AsUInt32(), Vector128<uint>.AllBitsSet);
        }
#endif

        for (; i < x.Length; i++)
        {
            float value = MathF.Abs(Unsafe.Add(ref start, i));
            nan |= float.IsNaN(value);
            max = value > max ? value : max;
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void Scale(Span<float> x, float coefficient, KernelPath path)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int i = 0;
#if NET
        if (path == KernelPath.Vector512)
        {
            for (; i <= x.Length - 16; i += 16)
            {
                (Vector512.LoadUnsafe(ref start, (nuint)i) * coefficient).StoreUnsafe(ref start, (nuint)i);
            }
        }
        else if (path == KernelPath.Vector256)
        {
            for (; i <= x.Length - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref start, (nuint)i) * coefficient).StoreUnsafe(ref start, (nuint)i);
            }
        }
        else if (path == KernelPath.Vector128)
        {
            for (; i <= x.Length - 4; i += 4)
            {
                (Vector128.LoadUnsafe(ref start, (nuint)i) * coefficient).StoreUnsafe(ref start, (nuint)i);
            }
        }
#endif

        for (; i < x.Length; i++)
        {
            x[i] *= coefficient;
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private static void Clamp(Span<float> x, float limit, KernelPath path)
    {
        // Compare-and-select rather than Min/Max: NaN fails both tests and passes through, on every path.
        ref float start = ref MemoryMarshal.GetReference(x);
        int i = 0;
#if NET
        if (path == KernelPath.Vector512)
        {
            Vector512<float> high = Vector512.Create(limit);
            Vector512<float> low = -high;
            for (; i <= x.Length - 16; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref start, (nuint)i);
                v = Vector512.ConditionalSelect(Vector512.GreaterThan(v, high), high, v);
                Vector512.ConditionalSelect(Vector512.LessThan(v, low), low, v).StoreUnsafe(ref start, (nuint)i);
            }
        }
        else if (path == KernelPath.Vector256)
        {
            Vector256<float> high = Vector256.Create(limit);
            Vector256<float> low = -high;
            for (; i <= x.Length - 8; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref start, (nuint)i);
                v = Vector256.ConditionalSelect(Vector256.GreaterThan(v, high), high, v);
                Vector256.ConditionalSelect(Vector256.LessThan(v, low), low, v).StoreUnsafe(ref start, (nuint)i);
            }
        }
        else if (path == KernelPath.Vector128)
        {
            Vector128<float> high = Vector128.Create(limit);
            Vector128<float> low = -high;
            for (; i <= x.Length - 4; i += 4)
            {
                Vector128<float> v = Vector128.LoadUnsafe(ref start, (nuint)i);
                v = Vector128.ConditionalSelect(Vector128.GreaterThan(v, high), high, v);
                Vector128.ConditionalSelect(Vector128.LessThan(v, low), low, v).StoreUnsafe(ref start, (nuint)i);
            }
        }
#endif

        for (; i < x.Length; i++)
        {
            float v = x[i];
            v = v > limit ? limit : v;
            x[i] = v < -limit ? -limit : v;
        }
    }

#if NET
    // The platform's max instruction (maxps on x64): NaN lanes are tracked apart, so any NaN
    // semantics will do. .NET 8 has no MaxNative, and its Max is that instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> NativeMax(Vector512<float> x, Vector512<float> y) =>
#if NET9_0_OR_GREATER
        Vector512.MaxNative(x, y);
#else
        Vector512.Max(x, y);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> NativeMax(Vector256<float> x, Vector256<float> y) =>
#if NET9_0_OR_GREATER
        Vector256.MaxNative(x, y);
#else
        Vector256.Max(x, y);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> NativeMax(Vector128<float> x, Vector128<float> y) =>
#if NET9_0_OR_GREATER
        Vector128.MaxNative(x, y);
#else
        Vector128.Max(x, y);
#endif

    private static float ToScalarMax(this Vector256<float> v) => Vector128.Max(v.GetLower(), v.GetUpper()).ToScalarMax();

    private static float ToScalarMax(this Vector128<float> v)
    {
        float max = v[0];
        for (int i = 1; i < Vector128<float>.Count; i++)
        {
            max = MathF.Max(max, v[i]);
        }

        return max;
    }

#endif

    /// <summary>Eight double accumulators; lane j sums the elements whose index is j mod 8.</summary>
#if NET
    [InlineArray(8)]
    private struct Lanes
    {
        private double _element;
#else
    private struct Lanes
    {
        // .NET Standard 2.1 has no inline arrays: eight fields in a row, indexed by reference.
#pragma warning disable CS0169 // read through the indexer
        private double _element, _element1, _element2, _element3, _element4, _element5, _element6, _element7;
#pragma warning restore CS0169

        [System.Diagnostics.CodeAnalysis.UnscopedRef]
        public ref double this[int index] => ref Unsafe.Add(ref _element, index);
#endif

        /// <summary>The lanes added pairwise, in a fixed order.</summary>
        [MethodImpl(StepMethod.OptimizedFromFirstCall)]
        public double Sum() => ((this[0] + this[1]) + (this[2] + this[3])) + ((this[4] + this[5]) + (this[6] + this[7]));
    }

    /// <summary>The tensors of one list, or of several optimizers in order, without allocating.</summary>
    private readonly struct TensorSource
    {
        private readonly IReadOnlyList<ParameterTensor>? _tensors;
        private readonly IReadOnlyList<Optimizer>? _optimizers;

        [MethodImpl(StepMethod.OptimizedFromFirstCall)]
        public TensorSource(IReadOnlyList<ParameterTensor> tensors)
        {
            _tensors = tensors;
            _optimizers = null;
            Count = CountOf(tensors);
        }

        [MethodImpl(StepMethod.OptimizedFromFirstCall)]
        public TensorSource(IReadOnlyList<Optimizer> optimizers)
        {
            _tensors = null;
            _optimizers = optimizers;
            int count = 0;
            for (int i = 0; i < optimizers.Count; i++)
            {
                count += CountOf((optimizers[i] ?? throw new ArgumentException($"Optimizer {i} is null.", nameof(optimizers))).Tensors);
            }

            Count = count;
        }

        public int Count { get; }

        public ParameterTensor this[int index]
        {
            [MethodImpl(StepMethod.OptimizedFromFirstCall)]
            get
            {
                if (_tensors is not null)
                {
                    return At(_tensors, index);
                }

                // Few optimizers (parameter groups): a linear walk is cheaper than any index.
                for (int o = 0; ; o++)
                {
                    IReadOnlyList<ParameterTensor> tensors = _optimizers![o].Tensors;
                    int count = CountOf(tensors);
                    if (index < count)
                    {
                        return At(tensors, index);
                    }

                    index -= count;
                }
            }
        }

        // An optimizer's tensors are a TensorList: called as one, its members inline here; through the
        // interface (or a type test's helper) they would run the runtime's shared code, which tiers
        // up, and is compiled again, during the first thousand clips. The exact-type test compiles
        // to one comparison.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ParameterTensor At(IReadOnlyList<ParameterTensor> tensors, int index) =>
            tensors.GetType() == typeof(TensorList) ? Unsafe.As<TensorList>(tensors)[index] : tensors[index];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int CountOf(IReadOnlyList<ParameterTensor> tensors) =>
            tensors.GetType() == typeof(TensorList) ? Unsafe.As<TensorList>(tensors).Count : tensors.Count;
    }
}
