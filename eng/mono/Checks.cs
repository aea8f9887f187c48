using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using KernelGen.Schedulers;
using KernelGen.Training;

// A block namespace: Unity compiles C# 9.
namespace KernelGen.MonoCheck
{
    /// <summary>A custom rule with a uniform <c>if</c>, a varying <c>?:</c> and every per-element function .NET Standard has.</summary>
    [Optimizer]
    public sealed partial class Clamped
    {
        [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
        [Hyperparameter] public float Limit { get; set; } = 0.5f;
        [Hyperparameter] public bool Decay { get; set; } = true;

        [UpdateRule]
        private static void Update(ref float param, float grad, ref float velocity, float learningRate, float limit, bool decay)
        {
            velocity = 0.9f * velocity + grad;
            float step = velocity > 0f ? MathF.Min(velocity, limit) : MathF.Max(velocity, -limit);
            if (decay)
            {
                step = step + 0.01f * param;
            }

            float size = MathF.Sqrt(MathF.Abs(step)) * KernelMath.Sign(step);
            param = param - learningRate * size / (1f + MathF.Abs(velocity));
        }
    }

    /// <summary>The checks eng/check-mono.sh runs: every kernel on every path this runtime has, against the rule.</summary>
    public static class Checks
    {
        private delegate void Kernel(KernelPath path, float[][] buffers);

        private delegate void Rule(float[][] buffers);

        public static int Run()
        {
            Console.WriteLine($"runtime: {(Type.GetType("Mono.Runtime") is null ? ".NET" : "Mono")} {Environment.Version}; Vector.IsHardwareAccelerated {System.Numerics.Vector.IsHardwareAccelerated}, Vector<float>.Count {System.Numerics.Vector<float>.Count}");
            Console.WriteLine($"paths: {string.Join(", ", KernelDispatch.Supported)}; best {KernelDispatch.Best}");
            var cases = new List<(string Name, int Buffers, Kernel Kernel, Rule Rule)>
            {
                ("Clamped", 3, (p, b) => Clamped.Apply(p, b[0], b[1], b[2], 0.01f, 0.5f, true), b => Clamped.ApplyWithRule(b[0], b[1], b[2], 0.01f, 0.5f, true)),
                ("Clamped (no decay)", 3, (p, b) => Clamped.Apply(p, b[0], b[1], b[2], 0.01f, 0.5f, false), b => Clamped.ApplyWithRule(b[0], b[1], b[2], 0.01f, 0.5f, false)),
                ("Adam (amsgrad)", 5, (p, b) => Adam.Apply(p, b[0], b[1], b[2], b[3], b[4], 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, false, 3),
                    b => Adam.ApplyWithRule(b[0], b[1], b[2], b[3], b[4], 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, false, 3)),
                ("Lion (maximize)", 3, (p, b) => Lion.Apply(p, b[0], b[1], b[2], 1e-4f, 0.9f, 0.99f, 0.1f, true, false, true),
                    b => Lion.ApplyWithRule(b[0], b[1], b[2], 1e-4f, 0.9f, 0.99f, 0.1f, true, false, true)),
            };

            int checks = 0, identical = 0;
            foreach (var c in cases)
            {
                foreach (int length in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 64, 1000 })
                {
                    float[][] start = RandomBuffers(c.Buffers, length, seed: length * 7919 + c.Name.Length);
                    float[][] expected = Copy(start);
                    c.Rule(expected);
                    foreach (KernelPath path in KernelDispatch.Supported)
                    {
                        float[][] actual = Copy(start);
                        c.Kernel(path, actual);
                        checks++;
                        string? difference = FirstDifference(expected, actual);
                        if (difference is null)
                        {
                            identical++;
                        }
                        else
                        {
                            Console.WriteLine($"FAIL {c.Name}, {length} elements, {path}: {difference}");
                        }
                    }
                }
            }

            Console.WriteLine("ns per element (Adam, 65536 elements, best of 5):");
            foreach (KernelPath path in KernelDispatch.Supported)
            {
                Console.WriteLine($"  {path,-8} {Time(path):F3}");
            }

            Console.WriteLine($"mono: {checks} checks, {identical} identical to the rule on {string.Join(" and ", KernelDispatch.Supported)}");
            bool allocationFree = StepsAllocateNothing();
            bool? resumed = ResumeGivesTheSameBits();
            bool passed = checks > 0 && identical == checks && allocationFree && resumed != false;
            Console.WriteLine($"mono check: {(passed ? "passed" : "FAILED")}{(resumed is null ? " (the checkpoint resume not run)" : "")}");
            return passed ? 0 : 1;
        }

        /// <summary>
        /// An optimizer's Step, built-in and custom, over three tensors, with clipping and a schedule:
        /// after the first frame it allocates nothing (a game steps once per frame, and every
        /// allocation brings the next GC closer). False when a step allocates.
        /// </summary>
        private static bool StepsAllocateNothing()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            GC.KeepAlive(new byte[4096]);
            if (GC.GetAllocatedBytesForCurrentThread() - before < 4096)
            {
                Console.WriteLine("optimizer steps: this runtime does not count a thread's allocations; not measured");
                return true;
            }

            var optimizers = new Optimizer[] { new AdamW(), new Clamped(), new AdamW { StateStorage = StateStorage.BFloat16 } };
            foreach (Optimizer optimizer in optimizers)
            {
                foreach (int length in new[] { 7, 64, 1000 })
                {
                    float[][] b = RandomBuffers(2, length, seed: length);
                    optimizer.Add(b[0], b[1]);
                }

                optimizer.Step(); // the first step allocates the states
                optimizer.Step();
            }

            const int steps = 100;
            bool free = true;
            foreach (Optimizer optimizer in optimizers)
            {
                // A frame's optimizer work: clip, step, schedule. Clamped has no momentum to cycle.
                var schedule = new OneCycleLR(optimizer, maxLr: 0.01, totalSteps: 2 * steps + 10, cycleMomentum: optimizer is not Clamped);

                // The first frame loads and compiles what it runs, which under Mono allocates.
                GradientClipping.ClipGradNorm(optimizer, maxNorm: 1f);
                optimizer.Step();
                schedule.Step();
                long start = GC.GetAllocatedBytesForCurrentThread();
                for (int s = 0; s < steps; s++)
                {
                    GradientClipping.ClipGradNorm(optimizer, maxNorm: 1f);
                    optimizer.Step();
                    schedule.Step();
                }

                long bytes = GC.GetAllocatedBytesForCurrentThread() - start;
                Console.WriteLine($"optimizer steps: {optimizer.GetType().Name} ({optimizer.StateStorage} states), 3 tensors, clip + step + schedule: {bytes} bytes allocated in {steps} steps");
                free &= bytes == 0;
            }

            return free;
        }

        /// <summary>
        /// Ten steps, a checkpoint (with the parameters), ten more; then a fresh optimizer loads the
        /// checkpoint and takes the last ten: its parameters must have the first one's bits. Null when
        /// System.Text.Json, which the checkpoints need, cannot run here.
        /// </summary>
        private static bool? ResumeGivesTheSameBits()
        {
            string? jsonUnavailable = JsonUnavailable();
            if (jsonUnavailable is not null)
            {
                Console.WriteLine($"checkpoint: not run: System.Text.Json, which reads and writes the header, does not run from .NET Standard 2.1 code on this Mono ({jsonUnavailable})");
                return null;
            }

            bool same = true;
            foreach (StateStorage storage in new[] { StateStorage.Float32, StateStorage.BFloat16 })
            {
                float[][] start = RandomBuffers(2, 1000, seed: 5);
                var first = new AdamW { StateStorage = storage };
                first.Add(start[0], start[1]);
                var checkpoint = new System.IO.MemoryStream();
                for (int s = 0; s < 20; s++)
                {
                    if (s == 10)
                    {
                        Checkpoint.Save(first, checkpoint, new CheckpointOptions { IncludeParameters = true });
                    }

                    first.Step();
                }

                float[][] fresh = RandomBuffers(2, 1000, seed: 6);
                fresh[1] = start[1];
                var second = new AdamW { StateStorage = storage };
                second.Add(fresh[0], fresh[1]);
                checkpoint.Position = 0;
                Checkpoint.Load(second, checkpoint, new CheckpointOptions { IncludeParameters = true });
                for (int s = 10; s < 20; s++)
                {
                    second.Step();
                }

                string? difference = FirstDifference(new[] { start[0] }, new[] { fresh[0] });
                Console.WriteLine($"checkpoint: AdamW ({storage} states) resumed at step 10 from a stream: {difference ?? "the same bits at step 20"}");
                same &= difference is null;
            }

            return same;
        }

        /// <summary>
        /// Why System.Text.Json cannot run here, or null when it can: whether a write and a read
        /// through the entry points the checkpoints use bind. Its .NET Standard 2.0 build takes its
        /// spans from the System.Memory package. On a Mono whose class library has no System.Memory
        /// facade and declares ReadOnlySpan's members without the ref readonly modifier (Debian's
        /// 6.8, built with mcs), neither works: the package's spans are other types than the ones
        /// .NET Standard 2.1 code passes, and a facade to Mono's leaves the JSON library's own span
        /// calls unbound.
        /// </summary>
        private static string? JsonUnavailable()
        {
            try
            {
                JsonRoundTrip();
                return null;
            }
            catch (Exception e) when (e is MissingMethodException or TypeLoadException)
            {
                return $"{e.GetType().Name}: {e.Message}";
            }
        }

        // Its own method, so that binding it happens in the caller's try.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void JsonRoundTrip()
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("n", 1);
                writer.WriteEndObject();
            }

            var reader = new Utf8JsonReader(buffer.WrittenSpan);
            while (reader.Read())
            {
            }
        }

        private static double Time(KernelPath path)
        {
            const int length = 65536;
            float[][] b = RandomBuffers(5, length, seed: 1);
            for (int i = 0; i < length; i++)
            {
                b[2][i] = MathF.Abs(b[2][i]) % 1f; // finite values: the timing is of the usual case
                b[0][i] = b[0][i] % 1f;
                b[1][i] = b[1][i] % 1f;
                b[3][i] = MathF.Abs(b[3][i]) % 1f;
                b[4][i] = MathF.Abs(b[4][i]) % 1f;
            }

            double best = double.MaxValue;
            for (int run = 0; run < 5; run++)
            {
                var watch = Stopwatch.StartNew();
                const int steps = 10;
                for (int s = 0; s < steps; s++)
                {
                    Adam.Apply(path, b[0], b[1], b[2], b[3], b[4], 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false, false, s + 1);
                }

                best = Math.Min(best, watch.Elapsed.TotalMilliseconds * 1e6 / ((double)steps * length));
            }

            return best;
        }

        /// <summary>Buffer 1 is the gradient; the values include zeros of both signs, NaN, infinities and subnormals.</summary>
        private static float[][] RandomBuffers(int count, int length, int seed)
        {
            var random = new Random(seed);
            float[] special = { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, -1e-40f, 0.5f, -0.5f, 1f };
            var buffers = new float[count][];
            for (int k = 0; k < count; k++)
            {
                buffers[k] = new float[length];
                for (int i = 0; i < length; i++)
                {
                    buffers[k][i] = random.Next(8) == 0
                        ? special[random.Next(special.Length)]
                        : (float)(random.NextDouble() * 4 - 2);
                }
            }

            return buffers;
        }

        private static float[][] Copy(float[][] buffers) => Array.ConvertAll(buffers, b => (float[])b.Clone());

        /// <summary>
        /// The first element whose bits differ, or null. Any NaN equals any NaN, as in the tests'
        /// comparisons: an operation on two NaNs returns one of them (x64: the first source
        /// operand's), and which one is first is the JIT's choice for a commutative operation. On
        /// .NET, Clamped's own <c>MathF.Sqrt(MathF.Abs(step)) * KernelMath.Sign(step)</c> with a
        /// NaN step (+NaN times -NaN) gives 0xffc00000 at tier 0 and 0x7fc00000 tiered up. Every
        /// other bit, a zero's sign included, must match.
        /// </summary>
        private static string? FirstDifference(float[][] expected, float[][] actual)
        {
            for (int k = 0; k < expected.Length; k++)
            {
                for (int i = 0; i < expected[k].Length; i++)
                {
                    int e = BitConverter.SingleToInt32Bits(expected[k][i]);
                    int a = BitConverter.SingleToInt32Bits(actual[k][i]);
                    if (e != a && !(float.IsNaN(expected[k][i]) && float.IsNaN(actual[k][i])))
                    {
                        return $"buffer {k}, element {i}: rule {expected[k][i]:R} (0x{e:x8}), kernel {actual[k][i]:R} (0x{a:x8})";
                    }
                }
            }

            return null;
        }
    }
}
