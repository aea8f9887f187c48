using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>
/// <see cref="StateStorage.Int8Blockwise"/>: the dynamic map, block quantization, and the Adam
/// family stepping with 8-bit states: close to float32 states, the same bits on every path and
/// thread count, no allocation per step, about a quarter of the state bytes.
/// </summary>
public class QuantizedStateTests
{
    // One tensor quantized with a short last block, one small enough to keep float32 states.
    private static readonly int[] Lengths = { 20_000, 1_000 };

    public static IEnumerable<object[]> Family() => new[] { "Adam", "AdamW", "Lion", "AdaBelief" }.Select(name => new object[] { name });

    private static Optimizer Create(string name) => name switch
    {
        "Adam" => new Adam { LearningRate = 1e-2f },
        "AdamW" => new AdamW { LearningRate = 1e-2f },
        "Lion" => new Lion { LearningRate = 1e-3f },
        "AdaBelief" => new AdaBelief { LearningRate = 1e-2f },
        _ => throw new ArgumentException(name),
    };

    /// <summary>The problem: per element a quadratic a·(p − t)²/2 of its own curvature and target, plus noise per step.</summary>
    private static Optimizer Train(string name, StateStorage storage, int steps, KernelPath path = KernelPath.Auto, int threads = 1, int[]? lengths = null)
    {
        Optimizer optimizer = Create(name);
        optimizer.StateStorage = storage;
        optimizer.Path = path;
        optimizer.MaxDegreeOfParallelism = threads;
        optimizer.ParallelThreshold = 1;
        optimizer.ShareEveryStep = threads > 1; // shared steps, whatever the guard would judge on a loaded machine
        lengths ??= Lengths;
        var problems = new List<(float[] Curvature, float[] Target)>();
        for (int t = 0; t < lengths.Length; t++)
        {
            float[] curvature = Uniform(lengths[t], seed: 100 + t, 0.1f, 2f);
            float[] target = Uniform(lengths[t], seed: 200 + t, -1f, 1f);
            problems.Add((curvature, target));
            optimizer.Add(Uniform(lengths[t], seed: 300 + t, -1f, 1f), new float[lengths[t]]);
        }

        for (int step = 1; step <= steps; step++)
        {
            SetGradients(optimizer, problems, step);
            optimizer.Step();
        }

        return optimizer;
    }

    private static void SetGradients(Optimizer optimizer, List<(float[] Curvature, float[] Target)> problems, int step)
    {
        for (int t = 0; t < problems.Count; t++)
        {
            ParameterTensor tensor = optimizer.Tensors[t];
            Span<float> p = tensor.Parameter.Span, g = tensor.Gradient.Span;
            var random = new Random(step * 31 + t);
            for (int i = 0; i < p.Length; i++)
            {
                g[i] = problems[t].Curvature[i] * (p[i] - problems[t].Target[i]) + (float)(random.NextDouble() - 0.5) * 0.1f;
            }
        }
    }

    private static float[] Uniform(int length, int seed, float low, float high)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => low + (float)random.NextDouble() * (high - low)).ToArray();
    }

    [Fact]
    public void TheMapsAreSortedDistinctAndSpanTheirRanges()
    {
        foreach (DynamicQuantizationMap map in new[] { DynamicQuantizationMap.Signed, DynamicQuantizationMap.Unsigned })
        {
            ReadOnlySpan<float> values = map.Values;
            Assert.Equal(256, values.Length);
            for (int k = 1; k < 256; k++)
            {
                Assert.True(values[k - 1] < values[k], $"map values {k - 1} and {k} are not ascending");
            }

            Assert.Equal(1f, values[255]);
            Assert.Equal(0f, values[map.ZeroCode]);
            Assert.True(map.IsSigned ? values[0] < -0.99f : values[0] == 0f);

            // Seven decimal exponents: the smallest non-zero magnitude is 10⁻⁶ times a mean in [0.1, 1].
            float smallest = values.ToArray().Where(v => v != 0f).Min(MathF.Abs);
            Assert.InRange(smallest, 1e-7f, 1e-6f);
        }
    }

    [Fact]
    public void EveryMapValueIsItsOwnCodeAndAnyValueTakesTheNearestCode()
    {
        var random = new Random(5);
        foreach (DynamicQuantizationMap map in new[] { DynamicQuantizationMap.Signed, DynamicQuantizationMap.Unsigned })
        {
            ReadOnlySpan<float> values = map.Values;
            for (int k = 0; k < 256; k++)
            {
                Assert.Equal(k, map.Code(values[k]));
            }

            float low = map.IsSigned ? -1f : 0f;
            for (int n = 0; n < 100_000; n++)
            {
                // Uniform, and spread over the decades the map resolves.
                float x = n % 2 == 0
                    ? low + (float)random.NextDouble() * (1f - low)
                    : (map.IsSigned && random.Next(2) == 0 ? -1f : 1f) * MathF.Pow(10f, -7f * (float)random.NextDouble());
                int code = map.Code(x);
                float error = MathF.Abs(values[code] - x);
                float lower = code > 0 ? MathF.Abs(values[code - 1] - x) : float.PositiveInfinity;
                float upper = code < 255 ? MathF.Abs(values[code + 1] - x) : float.PositiveInfinity;

                // Nearest, up to the rounding of the midpoint between the two neighbours (one float ulp of it).
                float slack = 1.2e-7f * MathF.Abs(x);
                Assert.True(error <= lower + slack && error <= upper + slack, $"{x} took code {code} ({values[code]}), not the nearest value");
            }
        }
    }

    [Fact]
    public void ABlockRoundTripsWithinHalfAGapOfTheMapTimesItsScale()
    {
        var random = new Random(7);
        float[] block = Enumerable.Range(0, 256).Select(i => (float)(random.NextDouble() - 0.5) * MathF.Pow(10f, random.Next(-6, 3))).ToArray();
        var codes = new byte[256];
        var back = new float[256];
        DynamicQuantizationMap map = DynamicQuantizationMap.Signed;
        map.QuantizeBlock(block, codes, out float scale);
        map.DequantizeBlock(codes, scale, back);
        Assert.Equal(block.Max(MathF.Abs), scale);
        ReadOnlySpan<float> values = map.Values;
        for (int i = 0; i < 256; i++)
        {
            // The widest gap next to the code bounds the error, in units of the scale.
            int c = codes[i];
            float gap = Math.Max(c > 0 ? values[c] - values[c - 1] : 0f, c < 255 ? values[c + 1] - values[c] : 0f);
            Assert.True(MathF.Abs(back[i] - block[i]) <= (gap / 2 + 1e-7f) * scale, $"element {i}: {block[i]} came back as {back[i]}");
        }

        // The largest magnitude maps to the map's end: 1, or its most negative value (the signed map has no -1).
        int largest = Array.FindIndex(block, v => MathF.Abs(v) == scale);
        Assert.Equal(block[largest] > 0 ? 1f : values[0], values[codes[largest]]);
    }

    [Fact]
    public void ABlockOfZerosKeepsScaleZeroAndANaNMakesTheScaleNaN()
    {
        var codes = new byte[256];
        DynamicQuantizationMap.Unsigned.QuantizeBlock(new float[256], codes, out float scale);
        Assert.Equal(0f, scale);
        Assert.All(codes, c => Assert.Equal(DynamicQuantizationMap.Unsigned.ZeroCode, c));

        float[] withNaN = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        withNaN[37] = float.NaN;
        DynamicQuantizationMap.Signed.QuantizeBlock(withNaN, codes, out scale);
        Assert.True(float.IsNaN(scale));
    }

    [Fact]
    public void TheAbsoluteMaximumIsTheScalarOneForEveryLengthAndPosition()
    {
        var random = new Random(11);
        for (int length = 0; length <= 70; length++)
        {
            float[] values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            Assert.Equal(values.Length == 0 ? 0f : values.Max(MathF.Abs), DynamicQuantizationMap.AbsoluteMaximum(values));
            for (int at = 0; at < length; at++)
            {
                float[] copy = (float[])values.Clone();
                copy[at] = float.NaN;
                Assert.True(float.IsNaN(DynamicQuantizationMap.AbsoluteMaximum(copy)), $"NaN at {at} of {length} was missed");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Family))]
    public void EightBitStatesTrackFloat32StatesOver200Steps(string name)
    {
        Optimizer full = Train(name, StateStorage.Float32, 200);
        Optimizer quantized = Train(name, StateStorage.Int8Blockwise, 200);
        Assert.Equal(StateStorage.Int8Blockwise, quantized.Tensors[0].StateStorage);
        Assert.Equal(StateStorage.Float32, quantized.Tensors[1].StateStorage);

        // The distance between the two runs' parameters, relative to how far float32 moved them:
        // Lion's update is a sign, which a slightly different momentum flips for elements near
        // their target, so its runs part more while they reach the same loss.
        double bound = name == "Lion" ? 0.2 : 0.03;
        float[] start = Uniform(Lengths[0], seed: 300, -1f, 1f);
        double moved = Distance(full.Tensors[0].Parameter.Span, start);
        double apart = Distance(full.Tensors[0].Parameter.Span, quantized.Tensors[0].Parameter.Span);
        Assert.True(apart <= bound * moved, $"{name}: the runs are {apart} apart after float32 moved {moved} (bound {bound} of it)");
        Assert.True(Loss(quantized, 0) <= 1.25 * Loss(full, 0), $"{name}: the loss with 8-bit states is {Loss(quantized, 0)}, float32's {Loss(full, 0)}");
        Assert.True(Loss(full, 0) < 0.8 * Loss(Train(name, StateStorage.Float32, 0), 0), $"{name}: the problem was not trained");

        // The small tensor keeps float32 states: its bits are float32's.
        Assert.True(full.Tensors[1].Parameter.Span.SequenceEqual(quantized.Tensors[1].Parameter.Span));
    }

    [Theory]
    [MemberData(nameof(Family))]
    public void EveryPathAndThreadCountGivesTheSameBits(string name)
    {
        int[] lengths = { 70_001, 5_000, 300 };
        Optimizer reference = Train(name, StateStorage.Int8Blockwise, 5, KernelPath.Scalar, lengths: lengths);
        foreach (KernelPath path in KernelCases.SupportedPaths)
        {
            foreach (int threads in new[] { 1, 3 })
            {
                Optimizer other = Train(name, StateStorage.Int8Blockwise, 5, path, threads, lengths);
                for (int t = 0; t < lengths.Length; t++)
                {
                    string where = $"{name} on {path} with {threads} thread(s), tensor {t}";
                    Assert.True(reference.Tensors[t].Parameter.Span.SequenceEqual(other.Tensors[t].Parameter.Span), where + ": parameters differ");
                    for (int i = 0; i < reference.Tensors[t].StateCount; i++)
                    {
                        Assert.True(States(reference.Tensors[t], i).SequenceEqual(States(other.Tensors[t], i)), $"{where}: state {i} differs");
                    }
                }

                if (threads > 1 && Environment.ProcessorCount > 1)
                {
                    Assert.True(other.Tensors[0].ChunkCount >= 2, "the large tensor was not cut into chunks");
                }
            }
        }
    }

    [Fact]
    public void ChunksOfAQuantizedTensorStartOnBlockBoundaries()
    {
        var optimizer = new AdamW { StateStorage = StateStorage.Int8Blockwise };
        ParameterTensor tensor = optimizer.Add(new float[70_001], new float[70_001]);
        ParameterTensor[] chunks = tensor.Chunks(7);
        int start = 0;
        foreach (ParameterTensor chunk in chunks)
        {
            Assert.Equal(0, start % DynamicQuantizationMap.BlockLength);
            start += chunk.Length;
        }

        Assert.Equal(tensor.Length, start);
    }

    [Fact]
    public void AStepAllocatesNothingAndPerTensorStepsGiveTheBitsOfStep()
    {
        Optimizer whole = Train("AdamW", StateStorage.Int8Blockwise, 2);
        Optimizer perTensor = Train("AdamW", StateStorage.Int8Blockwise, 2);
        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(whole.Step, steps: 20));
        for (int k = 0; k < 3 * 20; k++)
        {
            perTensor.BeginStep();
            perTensor.StepTensor(1);
            perTensor.StepTensor(0);
            perTensor.EndStep();
        }

        for (int t = 0; t < Lengths.Length; t++)
        {
            Assert.True(whole.Tensors[t].Parameter.Span.SequenceEqual(perTensor.Tensors[t].Parameter.Span));
        }
    }

    [Fact]
    public void AdamWKeepsAboutTwoBytesOfStatePerParameterUntilAmsgradNeedsAThirdState()
    {
        var optimizer = new AdamW { StateStorage = StateStorage.Int8Blockwise };
        ParameterTensor tensor = optimizer.Add(Uniform(65_536, 1, -1f, 1f), Uniform(65_536, 2, -1f, 1f));
        Assert.Equal(0, tensor.StateBytes); // nothing before the first step
        optimizer.Step();
        Assert.Equal(2 * (1 + 4.0 / 256), (double)tensor.StateBytes / tensor.Length);
        var full = new AdamW();
        Assert.Equal(12, full.Add(new float[65_536], new float[65_536]).StateBytes / 65_536);

        // AMSGrad switched on later: its maximum starts from zeros, as float32's does.
        var reference = new AdamW();
        reference.Add(Uniform(65_536, 1, -1f, 1f), Uniform(65_536, 2, -1f, 1f));
        reference.Step();
        reference.Amsgrad = optimizer.Amsgrad = true;
        reference.Step();
        optimizer.Step();
        Assert.Equal(3 * (1 + 4.0 / 256), (double)tensor.StateBytes / tensor.Length);
        var max = new float[65_536];
        tensor.CopyState(2, max);
        Assert.Contains(max, v => v > 0f);
        Assert.True(Distance(max, reference.Tensors[0].State(2)) <= 0.01 * Distance(reference.Tensors[0].State(2), new float[65_536]));
    }

    [Fact]
    public void StorageIsChosenBeforeRegistrationAndOnlyWhereItIsSupported()
    {
        var adam = new Adam();
        adam.Add(new float[10], new float[10]);
        Assert.Throws<InvalidOperationException>(() => adam.StateStorage = StateStorage.Int8Blockwise);
        adam.StateStorage = StateStorage.Float32; // unchanged: allowed
        Assert.Throws<NotSupportedException>(() => new SGD().StateStorage = StateStorage.Int8Blockwise);
        Assert.Throws<NotSupportedException>(() => new Lamb().StateStorage = StateStorage.Int8Blockwise);
        Assert.Equal(StateStorage.BFloat16, new AdamW { StateStorage = StateStorage.BFloat16 }.StateStorage);
        Assert.Equal(StateStorage.Float16, new AdamW { StateStorage = StateStorage.Float16 }.StateStorage);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW().StateStorage = (StateStorage)42);

        var quantized = new Adam { StateStorage = StateStorage.Int8Blockwise };
        ParameterTensor small = quantized.Add(new float[MinimumLength - 1], new float[MinimumLength - 1]);
        ParameterTensor large = quantized.Add(new float[MinimumLength], new float[MinimumLength]);
        Assert.Equal(StateStorage.Float32, small.StateStorage);
        Assert.Equal(StateStorage.Int8Blockwise, large.StateStorage);
        Exception e = Assert.Throws<InvalidOperationException>(() => large.State(0));
        Assert.Contains("CopyState", e.Message);
    }

    private const int MinimumLength = Optimizer.MinimumQuantizedLength;

    private static float[] States(ParameterTensor tensor, int index)
    {
        var values = new float[tensor.Length];
        tensor.CopyState(index, values);
        return values;
    }

    private static double Loss(Optimizer optimizer, int t)
    {
        float[] curvature = Uniform(Lengths[t], seed: 100 + t, 0.1f, 2f);
        float[] target = Uniform(Lengths[t], seed: 200 + t, -1f, 1f);
        ReadOnlySpan<float> p = optimizer.Tensors[t].Parameter.Span;
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            sum += 0.5 * curvature[i] * (p[i] - target[i]) * (p[i] - target[i]);
        }

        return sum / p.Length;
    }

    private static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }
}
