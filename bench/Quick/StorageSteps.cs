using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Bench.Baselines;
using KernelGen.Bench.Native;

namespace KernelGen.Bench.Quick;

/// <summary>
/// AdamW with smaller storage next to float32 AdamW: bfloat16 states (float32 parameter and
/// gradient), everything in bfloat16, and 8-bit block-quantized states, at 64 Ki, 1 Mi and 16 Mi
/// elements. Each row gives the bytes a step must move per element and the state bytes per
/// parameter, and a roofline that moves exactly those bytes (each buffer read, the parameter and
/// the states written back, in their own element sizes; an 8-bit state as its codes and its
/// scales) in one pass, so the row says how far the step is from the memory system; and, for the
/// bfloat16 rows when a C compiler is present, the same step compiled by it (the native peer's
/// stored AdamW), so the row also says how far it is from what gcc makes of the loop.
/// </summary>
public static class StorageSteps
{
    /// <summary>The sizes measured.</summary>
    public static readonly int[] Sizes = { 64 << 10, 1 << 20, 16 << 20 };

    /// <summary>One measured configuration at one size.</summary>
    /// <param name="GccNsPerElement">The native peer's time, or <see langword="null"/> without a compiler or a peer for this row (8-bit states).</param>
    public sealed record Row(string Name, int Elements, string Isa, double BytesPerElement, double StateBytesPerParameter,
        double NsPerElement, double Float32NsPerElement, double RooflineNsPerElement, double? GccNsPerElement, long AllocatedBytesPerStep)
    {
        /// <summary>As a quick-table row: <c>AdamW/states-bf16</c> and the like, with its roofline and peer.</summary>
        public QuickRow ToQuickRow() => new(Name, Elements, Isa, BytesPerElement, NsPerElement, null, null, RooflineNsPerElement, AllocatedBytesPerStep)
        {
            StateBytesPerParameter = StateBytesPerParameter,
            GccNsPerElement = GccNsPerElement,
        };
    }

    private sealed record Configuration(string Name, StateStorage Parameter, StateStorage Gradient, StateStorage State);

    private static readonly Configuration[] Configurations =
    {
        new("AdamW/states-bf16", StateStorage.Float32, StateStorage.Float32, StateStorage.BFloat16),
        new("AdamW/all-bf16", StateStorage.BFloat16, StateStorage.BFloat16, StateStorage.BFloat16),
        new("AdamW/states-8bit", StateStorage.Float32, StateStorage.Float32, StateStorage.Int8Blockwise),
    };

    /// <summary>
    /// Measures every configuration at every size, each interleaved with float32 AdamW, its roofline
    /// and, with a <paramref name="peer"/>, the peer's step for it: only where the peer first gives
    /// KernelGen's bits (<see cref="NativePeerCheck.RunStored"/>), which <paramref name="output"/> is told.
    /// </summary>
    public static List<Row> Measure(KernelPath path, TimingPlan plan, NativePeer? peer, TextWriter output, TextWriter progress)
    {
        var rows = new List<Row>();
        KernelPath resolved = KernelDispatch.Resolve(path);
        foreach (Configuration configuration in Configurations)
        {
            NativePeer? checkedPeer = CheckPeer(configuration, resolved, peer, output);
            foreach (int size in Sizes)
            {
                progress.Write($"\rmeasuring {configuration.Name} at {QuickTable.SizeText(size)} ...        ");
                rows.Add(MeasureOne(configuration, size, resolved, plan, checkedPeer));
            }

            GC.Collect(); // the 16 Mi buffers go before the next configuration's
        }

        progress.Write("\r" + new string(' ', 64) + "\r");
        return rows;
    }

    /// <summary>Writes the rows as a table.</summary>
    public static void Write(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine($"{"smaller storage",-18} {"elements",8} {"isa",-10} {"B/elem",6} {"state B",7} {"KernelGen",9} {"float32",9} {"x f32",6} {"gcc",7} {"x gcc",6} {"roofline",9} {"/roofline",9} {"alloc B/step",12}");
        output.WriteLine(new string('-', 127));
        foreach (Row row in rows)
        {
            string gcc = row.GccNsPerElement is double peer ? $"{peer,7:F3} {row.NsPerElement / peer,6:F2}" : $"{"-",7} {"-",6}";
            output.WriteLine($"{row.Name,-18} {QuickTable.SizeText(row.Elements),8} {row.Isa,-10} {row.BytesPerElement,6:0.##} {row.StateBytesPerParameter,7:0.##} {row.NsPerElement,9:F3} {row.Float32NsPerElement,9:F3} {row.NsPerElement / row.Float32NsPerElement,6:F2} {gcc} {row.RooflineNsPerElement,9:F3} {row.NsPerElement / row.RooflineNsPerElement,8:F2}x {row.AllocatedBytesPerStep,12}");
        }
    }

    /// <summary>
    /// <paramref name="peer"/> when it has a step for <paramref name="configuration"/> and that step
    /// gives KernelGen's bits; else <see langword="null"/>, and a peer that disagrees is reported.
    /// </summary>
    private static NativePeer? CheckPeer(Configuration configuration, KernelPath path, NativePeer? peer, TextWriter output)
    {
        PeerAgreement? agreement = peer is null ? null
            : NativePeerCheck.RunStored(peer, () => Create(path, configuration.State), configuration.Parameter, configuration.Gradient);
        if (agreement is null)
        {
            return null;
        }

        output.WriteLine(agreement.Agrees
            ? $"  {configuration.Name}: {agreement}"
            : $"native peer check failed, not timed: {configuration.Name}: {agreement}");
        return agreement.Agrees ? peer : null;
    }

    private static Row MeasureOne(Configuration configuration, int size, KernelPath path, TimingPlan plan, NativePeer? peer)
    {
        var random = new Random(size);
        AdamW stored = Create(path, configuration.State);
        Buffer parameter = Buffer.Filled(configuration.Parameter, size, random, 1f);
        Buffer gradient = Buffer.Filled(configuration.Gradient, size, random, 0.01f);
        ParameterTensor tensor = parameter.AddTo(stored, gradient);

        AdamW single = Create(path, StateStorage.Float32);
        single.Add(ModelSteps.Filled(size, random, 1f).Memory, ModelSteps.Filled(size, random, 0.01f).Memory);

        // AdamW without amsgrad reads and writes two of its three state buffers.
        Buffer[] written = { parameter, Buffer.State(tensor, 0), Buffer.State(tensor, 1) };
        var runners = new List<StepRunner>
        {
            new("KernelGen", _ => stored.Step()),
            new("float32", _ => single.Step()),
            new("roofline", _ => Roofline(gradient, written, path)),
        };
        if (peer?.BindStoredAdamW(stored, configuration.Parameter, configuration.Gradient, configuration.State) is NativePeer.StoredStep peerStep)
        {
            // On KernelGen's own buffers: the same update, so the two take turns on them.
            runners.Add(new("gcc", step => peerStep(parameter.Bytes, gradient.Bytes, written[1].Bytes, written[2].Bytes, step)));
        }

        Measurement[] m = StepTimer.Measure(runners, plan);
        double stateBytes = written[1].BytesPerElement + written[2].BytesPerElement;
        double bytes = gradient.BytesPerElement + 2 * (parameter.BytesPerElement + stateBytes);
        double? gcc = m.Length > 3 ? m[3].NanosecondsPerStep / size : null;
        return new Row(configuration.Name, size, path.ToString(), bytes, stateBytes, m[0].NanosecondsPerStep / size,
            m[1].NanosecondsPerStep / size, m[2].NanosecondsPerStep / size, gcc, (long)m[0].AllocatedBytesPerStep);
    }

    private static AdamW Create(KernelPath path, StateStorage states) =>
        new() { LearningRate = 1e-3f, WeightDecay = 0.01f, Path = path, StateStorage = states };

    /// <summary>
    /// One pass that reads the gradient and each of <paramref name="written"/> and writes each back,
    /// 32 elements at a time in every buffer's own element size (an 8-bit state's codes, and its
    /// block's scale at each block's start): the bytes the step must move, moved in the order the
    /// fused step moves them, with no arithmetic. Vector256 pieces on the wide paths, Vector128
    /// pieces otherwise. Each buffer's bytes are resolved once per pass, so the loop is loads and
    /// stores only: a roofline must not pay for bookkeeping the kernel does not have.
    /// </summary>
    /// <exception cref="NotSupportedException"><paramref name="written"/> is not AdamW's three buffers (parameter and two moments).</exception>
    private static void Roofline(Buffer gradient, Buffer[] written, KernelPath path)
    {
        if (written.Length != 3)
        {
            throw new NotSupportedException($"The storage roofline moves a parameter and two moments, not {written.Length} buffers.");
        }

        bool wide = path is KernelPath.Vector256 or KernelPath.Vector512;
        int elements = gradient.Bytes.Length / gradient.ElementSize;
        ref byte g = ref MemoryMarshal.GetReference(gradient.Bytes);
        ref byte p = ref MemoryMarshal.GetReference(written[0].Bytes);
        ref byte m1 = ref MemoryMarshal.GetReference(written[1].Bytes);
        ref byte m2 = ref MemoryMarshal.GetReference(written[2].Bytes);
        int gs = gradient.ElementSize, ps = written[0].ElementSize, m1s = written[1].ElementSize, m2s = written[2].ElementSize;
        float[]? scales1 = written[1].Scales, scales2 = written[2].Scales;
        Vector256<byte> sum = Vector256<byte>.Zero;
        for (int i = 0; i + RooflineElements <= elements; i += RooflineElements)
        {
            sum = Read(ref g, i * gs, RooflineElements * gs, wide, sum);
            Rewrite(ref p, i * ps, RooflineElements * ps, wide, sum);
            Rewrite(ref m1, i * m1s, RooflineElements * m1s, wide, sum);
            Rewrite(ref m2, i * m2s, RooflineElements * m2s, wide, sum);
            if ((i & (BlockLength - 1)) == 0)
            {
                RewriteScale(scales1, i, sum);
                RewriteScale(scales2, i, sum);
            }
        }

        // Kept, so the gradient's loads cannot be dropped.
        s_sink = sum;
    }

    /// <summary>Loads <paramref name="count"/> bytes from <paramref name="at"/> into the running sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Read(ref byte b, int at, int count, bool wide, Vector256<byte> sum)
    {
        for (int end = at + count; at < end; at += wide ? 32 : 16)
        {
            sum ^= wide ? Vector256.LoadUnsafe(ref b, (nuint)at) : Vector256.Create(Vector128.LoadUnsafe(ref b, (nuint)at), Vector128<byte>.Zero);
        }

        return sum;
    }

    /// <summary>Loads and stores back <paramref name="count"/> bytes from <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rewrite(ref byte b, int at, int count, bool wide, Vector256<byte> sum)
    {
        // The sum's zero part keeps the stores dependent on the loads, as an update is.
        Vector256<byte> none = sum & Vector256<byte>.Zero;
        for (int end = at + count; at < end; at += wide ? 32 : 16)
        {
            if (wide)
            {
                (Vector256.LoadUnsafe(ref b, (nuint)at) ^ none).StoreUnsafe(ref b, (nuint)at);
            }
            else
            {
                (Vector128.LoadUnsafe(ref b, (nuint)at) ^ none.GetLower()).StoreUnsafe(ref b, (nuint)at);
            }
        }
    }

    /// <summary>Reads and writes back the scale of the block that starts at element <paramref name="i"/> (an 8-bit state's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RewriteScale(float[]? scales, int i, Vector256<byte> sum)
    {
        if (scales is not null)
        {
            ref float scale = ref scales[i / BlockLength];
            scale = (Vector128.CreateScalar(scale) ^ (sum.GetLower().AsSingle() & Vector128<float>.Zero)).ToScalar();
        }
    }

    /// <summary>Elements per roofline iteration: a whole vector of 8-bit codes.</summary>
    private const int RooflineElements = 32;

    /// <summary>Elements per scale of an 8-bit state.</summary>
    private const int BlockLength = 256;

    private static Vector256<byte> s_sink;

    /// <summary>
    /// A buffer in its storage type (its memory: float, BFloat16, Half, or an 8-bit state's codes
    /// with its scales), seen as bytes.
    /// </summary>
    private sealed class Buffer
    {
        private readonly object _memory;

        private Buffer(object memory, StateStorage type, float[]? scales = null)
        {
            _memory = memory;
            Type = type;
            Scales = scales;
        }

        public StateStorage Type { get; }

        /// <summary>An 8-bit state's scales, one per block; null otherwise.</summary>
        public float[]? Scales { get; }

        /// <summary>The bytes of one element in <see cref="Bytes"/>.</summary>
        public int ElementSize => Type switch
        {
            StateStorage.Float32 => sizeof(float),
            StateStorage.Int8Blockwise => sizeof(byte),
            _ => sizeof(ushort),
        };

        /// <summary>The bytes per element with the scales: an 8-bit state's 1 + 4/256.</summary>
        public double BytesPerElement => ElementSize + (Scales is null ? 0 : sizeof(float) / (double)BlockLength);

        public Span<byte> Bytes => _memory switch
        {
            Memory<float> m => MemoryMarshal.AsBytes(m.Span),
            Memory<BFloat16> m => MemoryMarshal.AsBytes(m.Span),
            Memory<byte> m => m.Span,
            _ => MemoryMarshal.AsBytes(((Memory<Half>)_memory).Span),
        };

        public static Buffer Filled(StateStorage type, int length, Random random, float scale)
        {
            AlignedBuffer values = ModelSteps.Filled(length, random, scale);
            return type switch
            {
                StateStorage.BFloat16 => new Buffer(new Memory<BFloat16>(Array.ConvertAll(values.ToArray(), v => (BFloat16)v)), type),
                StateStorage.Float16 => new Buffer(new Memory<Half>(Array.ConvertAll(values.ToArray(), v => (Half)v)), type),
                _ => new Buffer(values.Memory, type),
            };
        }

        /// <summary>
        /// A state buffer of a registered tensor (its memory, not a copy); for 8-bit states, whose
        /// codes and scales the library keeps to itself, codes and scales of the same sizes.
        /// </summary>
        public static Buffer State(ParameterTensor tensor, int index) => tensor.StateStorage switch
        {
            StateStorage.BFloat16 => new Buffer(tensor.StoredState<BFloat16>(index), tensor.StateStorage),
            StateStorage.Float16 => new Buffer(tensor.StoredState<Half>(index), tensor.StateStorage),
            StateStorage.Int8Blockwise => new Buffer(new Memory<byte>(new byte[tensor.Length]), tensor.StateStorage, new float[(tensor.Length + BlockLength - 1) / BlockLength]),
            _ => new Buffer(tensor.StateMemory(index), tensor.StateStorage),
        };

        /// <summary>Registers this buffer as a parameter with <paramref name="gradient"/>.</summary>
        public ParameterTensor AddTo(Optimizer optimizer, Buffer gradient) => _memory switch
        {
            Memory<float> m => gradient.AddAsGradient(optimizer, m),
            Memory<BFloat16> m => gradient.AddAsGradient(optimizer, m),
            _ => gradient.AddAsGradient(optimizer, (Memory<Half>)_memory),
        };

        private ParameterTensor AddAsGradient<T>(Optimizer optimizer, Memory<T> parameter) => _memory switch
        {
            Memory<float> m => optimizer.Add(parameter, m),
            Memory<BFloat16> m => optimizer.Add(parameter, m),
            _ => optimizer.Add(parameter, (Memory<Half>)_memory),
        };
    }
}
