using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Checkpoints;

/// <summary>Optimizers to checkpoint, deterministic training, and a full snapshot of an optimizer to prove a refused load changed nothing.</summary>
internal static class CheckpointFixtures
{
    /// <summary>Configured optimizers; the resumed run starts from the type's defaults, so loading must restore the hyper-parameters too.</summary>
    public static readonly IReadOnlyDictionary<string, (Func<Optimizer> Configured, Func<Optimizer> Fresh)> Cases =
        new Dictionary<string, (Func<Optimizer>, Func<Optimizer>)>
        {
            ["SGD momentum"] = (() => new SGD { LearningRate = 0.05f, Momentum = 0.9f, Dampening = 0.1f, WeightDecay = 0.01f }, () => new SGD()),
            ["SGD nesterov"] = (() => new SGD { LearningRate = 0.05f, Momentum = 0.8f, Nesterov = true, Maximize = true }, () => new SGD()),
            ["Adam amsgrad"] = (() => new Adam { LearningRate = 0.01f, Amsgrad = true, WeightDecay = 0.1f }, () => new Adam()),
            ["AdamW"] = (() => new AdamW { LearningRate = 0.01f, Beta1 = 0.8f }, () => new AdamW()),
            ["AdamW amsgrad"] = (() => new AdamW { LearningRate = 0.01f, Amsgrad = true, Beta2 = 0.95f }, () => new AdamW()),
            ["TensorStateRule"] = (() => new TensorStateRule { LearningRate = 0.02f, Start = 3 }, () => new TensorStateRule()),
            // Per-tensor reductions: the resumed reducing pass must see the saved moments and per-tensor state.
            ["Lamb rectify"] = (() => new Lamb { LearningRate = 0.02f, Rectify = true, RectifyThreshold = 4, WeightDecay = 0.01f }, () => new Lamb()),
            ["LARS multi-dimensional"] = (() => new LARS { LearningRate = 0.05f, MultiDimensional = true, WeightDecay = 0.01f, Nesterov = true }, () => new LARS()),
            ["NovoGrad"] = (() => new NovoGrad { LearningRate = 0.02f, WeightDecay = 0.01f, GradAveraging = true }, () => new NovoGrad()),
        };

    public static readonly int[] Lengths = { 37, 64, 1, 0, 300 };

    public static IEnumerable<object[]> OptimizerAndPath() =>
        from name in Cases.Keys
        from path in KernelCases.SupportedPaths
        select new object[] { name, path };

    /// <summary>Registers one tensor per length with deterministic values; returns the gradient buffers.</summary>
    public static float[][] Register(Optimizer optimizer, int[] lengths, bool zeroParameters = false)
    {
        var gradients = new float[lengths.Length][];
        for (int t = 0; t < lengths.Length; t++)
        {
            float[] parameter = zeroParameters ? new float[lengths[t]] : KernelCases.Values(lengths[t], seed: 7 + t, scale: 2f);
            gradients[t] = new float[lengths[t]];
            optimizer.Add(parameter, gradients[t]);
        }

        return gradients;
    }

    /// <summary>One training step: gradients that depend on the parameters (a quadratic) and on the step (noise), then the step.</summary>
    public static void Train(Optimizer optimizer, float[][] gradients, int step)
    {
        for (int t = 0; t < gradients.Length; t++)
        {
            KernelCases.QuadraticGradient(optimizer.Tensors[t].Parameter.Span, gradients[t], step, t);
        }

        optimizer.Step();
    }

    public static byte[] Save(Optimizer optimizer, CheckpointOptions? options = null)
    {
        var stream = new MemoryStream();
        Checkpoint.Save(optimizer, stream, options);
        return stream.ToArray();
    }

    public static byte[] SavedSgd(out SGD sgd)
    {
        sgd = new SGD { LearningRate = 0.1f, Momentum = 0.9f };
        float[][] gradients = Register(sgd, new[] { 3, 2 });
        Train(sgd, gradients, 1);
        Train(sgd, gradients, 2);
        return Save(sgd);
    }

    /// <summary>Everything a load could change: parameters, states, tensor states, steps, hyper-parameters.</summary>
    public sealed record Snapshot(string Text)
    {
        public static Snapshot Of(Optimizer optimizer, bool parameters = true)
        {
            var text = new System.Text.StringBuilder();
            foreach (string name in optimizer.HyperparameterNames)
            {
                optimizer.TryGetHyperparameter(name, out double value);
                text.Append(name).Append('=').Append(value.ToString("R")).Append(';');
            }

            foreach (ParameterTensor tensor in optimizer.Tensors)
            {
                text.Append("|step ").Append(tensor.Step).Append(" p ").Append(parameters ? Bits(tensor.Parameter.Span) : "-");
                for (int i = 0; i < tensor.StateCount; i++)
                {
                    text.Append(" s").Append(i).Append(' ').Append(Bits(tensor.State(i)));
                }

                for (int i = 0; i < tensor.TensorStateCount; i++)
                {
                    text.Append(" t").Append(i).Append(' ').Append(BitConverter.SingleToUInt32Bits(tensor.TensorState(i)).ToString("x8"));
                }
            }

            return new Snapshot(text.ToString());
        }

        private static string Bits(ReadOnlySpan<float> values) =>
            string.Join(",", values.ToArray().Select(v => BitConverter.SingleToUInt32Bits(v).ToString("x8")));
    }

    /// <summary>Loads and expects a refusal of the given kind that leaves the optimizer exactly as it was.</summary>
    public static CheckpointException Refused(Optimizer target, byte[] file, CheckpointError error, CheckpointOptions? options = null, bool seekable = true)
    {
        Snapshot before = Snapshot.Of(target);
        Stream stream = seekable ? new MemoryStream(file) : new ForwardOnlyStream(file);
        var exception = Assert.Throws<CheckpointException>(() => Checkpoint.Load(target, stream, options));
        Assert.True(error == exception.Error, $"expected {error}, got {exception.Error}: {exception.Message}");
        Assert.Equal(before, Snapshot.Of(target));
        return exception;
    }

    /// <summary>A folder of its own under the temp path, deleted with everything in it.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("kernelgen-checkpoint-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>A pipe-like stream: no length, no seeking, short reads.</summary>
    public sealed class ForwardOnlyStream : Stream
    {
        private readonly byte[] _data;
        private int _position;

        public ForwardOnlyStream(byte[] data) => _data = data;

        public int BytesRead => _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            // At most 1000 bytes at a time, as a socket or pipe may deliver them.
            int n = Math.Min(Math.Min(count, 1000), _data.Length - _position);
            Array.Copy(_data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
    }
}

/// <summary>A rule with a state named <c>step</c>: its checkpoint name would be the step count's.</summary>
[Optimizer]
public sealed partial class StateNamedStepRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.1f;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float step, float learningRate)
    {
        step += grad;
        param -= learningRate * step;
    }
}

/// <summary>A user's optimizer whose option check throws something other than ArgumentException.</summary>
[Optimizer]
public sealed partial class PickyRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.1f;

    [Hyperparameter] public float Decay { get; set; }

    protected override void ValidateOptions()
    {
        if (LearningRate > 1f)
        {
            throw new InvalidOperationException("PickyRule refuses learning rates above 1.");
        }
    }

    [UpdateRule]
    private static void Update(ref float param, float grad, float learningRate, float decay)
    {
        param -= learningRate * grad + decay * param;
    }
}
