using System;
using System.Runtime.InteropServices;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Native;

/// <summary>How the native peer's results compare with KernelGen's after the same steps from the same start.</summary>
/// <param name="Elements">The elements compared, over every array the step writes.</param>
/// <param name="BitwiseDifferences">How many of them differ in any bit.</param>
/// <param name="MaxRelativeDifference">The largest |peer − KernelGen| / |KernelGen| (0 when bitwise equal).</param>
/// <param name="FirstDifference">The first element that differs, as text, or <see langword="null"/>.</param>
public sealed record PeerAgreement(int Elements, int BitwiseDifferences, double MaxRelativeDifference, string? FirstDifference)
{
    /// <summary>The most relative difference a peer may show and still be timed (one rounding in a few steps is far below it).</summary>
    public const double RelativeTolerance = 1e-6;

    /// <summary>Whether the peer computes the same update closely enough to be timed beside KernelGen.</summary>
    public bool Agrees => MaxRelativeDifference <= RelativeTolerance;

    /// <summary>One line for the table's header.</summary>
    public override string ToString() => BitwiseDifferences == 0
        ? $"bit for bit identical to KernelGen ({Elements} values)"
        : $"{BitwiseDifferences} of {Elements} values differ from KernelGen, at most {MaxRelativeDifference:G3} relative; first: {FirstDifference}";
}

/// <summary>Checks, before anything is timed, that the native peer computes what KernelGen computes.</summary>
public static class NativePeerCheck
{
    /// <summary>
    /// Steps KernelGen and the peer <paramref name="steps"/> times on two tensors with the same
    /// start (a length no vector width divides, so the peer's and the kernel's tails run too) and
    /// compares every array the step writes; <see langword="null"/> when the profile has no peer.
    /// </summary>
    public static PeerAgreement? Run(BenchProfile profile, NativePeer peer, KernelPath path = KernelPath.Auto, int elements = 1037, int steps = 3)
    {
        BenchSubject reference = BenchSubject.Create(profile, elements, path);
        BenchSubject subject = BenchSubject.Create(profile, elements, path, peer: peer);
        if (subject.Gcc is null)
        {
            return null;
        }

        for (int i = 0; i < steps; i++)
        {
            reference.KernelGen.Step();
            subject.Gcc.Step();
        }

        var comparison = new Comparison();
        foreach (StepArray array in profile.Arrays)
        {
            if (array.Access != ArrayAccess.Read)
            {
                comparison.Add(array.Name, StateStorage.Float32,
                    MemoryMarshal.AsBytes(reference.Arrays.Array(array.Name)), MemoryMarshal.AsBytes(subject.Arrays.Array(array.Name)));
            }
        }

        return comparison.Result;
    }

    /// <summary>
    /// Steps KernelGen's AdamW from <paramref name="create"/> (its settings, path and state storage)
    /// on a tensor stored as <paramref name="parameter"/> and <paramref name="gradient"/>, and the
    /// peer's stored step on copies of the same start, <paramref name="steps"/> times each, and
    /// compares the parameter and both moments bit for bit; <see langword="null"/> when the
    /// combination has no peer. The gradient holds a NaN whose low payload bits would carry into the
    /// sign if it were rounded as a number, so the narrowing's NaN rule is compared too.
    /// </summary>
    public static PeerAgreement? RunStored(NativePeer peer, Func<AdamW> create, StateStorage parameter, StateStorage gradient, int elements = 1037, int steps = 3)
    {
        AdamW reference = create();
        NativePeer.StoredStep? peerStep = peer.BindStoredAdamW(reference, parameter, gradient, reference.StateStorage);
        if (peerStep is null)
        {
            return null;
        }

        var random = new Random(elements);
        float[] parameterValues = new float[elements];
        float[] gradientValues = new float[elements];
        for (int i = 0; i < elements; i++)
        {
            parameterValues[i] = random.NextSingle() * 2f - 1f;
            gradientValues[i] = (random.NextSingle() * 2f - 1f) * 0.01f;
        }

        gradientValues[elements / 2] = BitConverter.Int32BitsToSingle(0x7FFF_FFFF);
        byte[] parameterBytes = Stored(parameter, parameterValues);
        byte[] gradientBytes = Stored(gradient, gradientValues);
        ParameterTensor tensor = Add(reference, parameter, (byte[])parameterBytes.Clone(), gradient, (byte[])gradientBytes.Clone());
        byte[] expAvg = new byte[elements * sizeof(ushort)];
        byte[] expAvgSq = new byte[elements * sizeof(ushort)];
        for (int step = 1; step <= steps; step++)
        {
            reference.Step();
            peerStep(parameterBytes, gradientBytes, expAvg, expAvgSq, step);
        }

        var comparison = new Comparison();
        comparison.Add("param", parameter, Bytes(parameter, tensor.StoredParameter<float>, tensor.StoredParameter<BFloat16>), parameterBytes);
        comparison.Add("expAvg", StateStorage.BFloat16, MemoryMarshal.AsBytes(tensor.StoredState<BFloat16>(0).Span), expAvg);
        comparison.Add("expAvgSq", StateStorage.BFloat16, MemoryMarshal.AsBytes(tensor.StoredState<BFloat16>(1).Span), expAvgSq);
        return comparison.Result;
    }

    /// <summary><paramref name="values"/> as the bytes of <paramref name="type"/> (float32 or bfloat16).</summary>
    private static byte[] Stored(StateStorage type, float[] values) => type == StateStorage.BFloat16
        ? MemoryMarshal.AsBytes(Array.ConvertAll(values, v => (BFloat16)v).AsSpan()).ToArray()
        : MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static ParameterTensor Add(AdamW optimizer, StateStorage parameterType, byte[] parameter, StateStorage gradientType, byte[] gradient) =>
        parameterType == StateStorage.BFloat16
            ? AddGradient(optimizer, new Memory<BFloat16>(MemoryMarshal.Cast<byte, BFloat16>(parameter).ToArray()), gradientType, gradient)
            : AddGradient(optimizer, new Memory<float>(MemoryMarshal.Cast<byte, float>(parameter).ToArray()), gradientType, gradient);

    private static ParameterTensor AddGradient<T>(AdamW optimizer, Memory<T> parameter, StateStorage gradientType, byte[] gradient) =>
        gradientType == StateStorage.BFloat16
            ? optimizer.Add(parameter, new Memory<BFloat16>(MemoryMarshal.Cast<byte, BFloat16>(gradient).ToArray()))
            : optimizer.Add(parameter, new Memory<float>(MemoryMarshal.Cast<byte, float>(gradient).ToArray()));

    private static ReadOnlySpan<byte> Bytes(StateStorage type, Func<Memory<float>> single, Func<Memory<BFloat16>> bfloat16) =>
        type == StateStorage.BFloat16 ? MemoryMarshal.AsBytes(bfloat16().Span) : MemoryMarshal.AsBytes(single().Span);

    /// <summary>Element-by-element comparison of buffers (float32 or bfloat16, as bytes), gathered into a <see cref="PeerAgreement"/>.</summary>
    private sealed class Comparison
    {
        private int _compared;
        private int _differences;
        private double _maxRelative;
        private string? _first;

        public PeerAgreement Result => new(_compared, _differences, _maxRelative, _first);

        public void Add(string name, StateStorage type, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
        {
            int size = type == StateStorage.BFloat16 ? sizeof(ushort) : sizeof(float);
            for (int i = 0; i < expected.Length / size; i++)
            {
                _compared++;
                ReadOnlySpan<byte> e = expected.Slice(i * size, size);
                ReadOnlySpan<byte> a = actual.Slice(i * size, size);
                if (e.SequenceEqual(a))
                {
                    continue;
                }

                float expectedValue = Widen(e);
                float actualValue = Widen(a);
                _differences++;
                _first ??= $"{name}[{i}]: KernelGen {expectedValue:R}, peer {actualValue:R}";
                double relative = expectedValue == 0f ? double.PositiveInfinity : Math.Abs((double)actualValue - expectedValue) / Math.Abs((double)expectedValue);
                _maxRelative = double.IsNaN(relative) ? double.PositiveInfinity : Math.Max(_maxRelative, relative);
            }
        }

        private static float Widen(ReadOnlySpan<byte> bytes) => bytes.Length == sizeof(float)
            ? MemoryMarshal.Read<float>(bytes)
            : (float)BFloat16.FromBits(MemoryMarshal.Read<ushort>(bytes));
    }
}
