using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace KernelGen.Tests.Reliability;

/// <summary>
/// A hash of everything a call could change: per optimizer its settings, hyper-parameters,
/// and per tensor the parameter, gradient, every state buffer, every per-tensor state and the
/// step count; and the bytes of files (checkpoints) and of the folders that hold them.
/// </summary>
internal sealed class StateHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public static string Of(params object[] targets)
    {
        var hash = new StateHash();
        foreach (object target in targets)
        {
            hash.Add(target);
        }

        return Convert.ToHexString(hash._hash.GetHashAndReset());
    }

    /// <summary>Runs <paramref name="call"/>, expects <typeparamref name="T"/> with every fragment in its message, and that nothing in <paramref name="targets"/> changed.</summary>
    public static T Refused<T>(Action call, string[] fragments, params object[] targets)
        where T : Exception
    {
        string before = Of(targets);
        T exception = Assert.Throws<T>(call);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Of(targets));
        return exception;
    }

    private void Add(object target)
    {
        switch (target)
        {
            case Optimizer optimizer:
                Add(optimizer);
                break;
            case ParameterGroups groups:
                foreach (Optimizer group in groups.Groups)
                {
                    Add(group);
                }

                break;
            case Lookahead lookahead:
                Text($"lookahead k={lookahead.K} alpha={lookahead.Alpha:R} pullback={lookahead.PullbackMomentum} counter={lookahead.Counter}");
                Add(lookahead.Inner);
                for (int i = 0; i < lookahead.Tensors.Count; i++)
                {
                    Floats(lookahead.SlowWeights(i));
                }

                break;
            case FileInfo file:
                Text(file.FullName);
                Bytes(file.Exists ? File.ReadAllBytes(file.FullName) : Array.Empty<byte>());
                break;
            case DirectoryInfo folder:
                // Every file's name and bytes: a refused save leaves no temporary file behind.
                var names = new List<string>(Directory.GetFiles(folder.FullName));
                names.Sort(StringComparer.Ordinal);
                foreach (string name in names)
                {
                    Add(new FileInfo(name));
                }

                break;
            case float[] values:
                Floats(values);
                break;
            default:
                throw new ArgumentException($"No hash for {target.GetType().Name}.", nameof(target));
        }
    }

    private void Add(Optimizer optimizer)
    {
        Text($"{optimizer.GetType().FullName} path={optimizer.Path} scale={optimizer.GradientScale:R} policy={optimizer.NonFiniteGradients} threads={optimizer.MaxDegreeOfParallelism}");
        foreach (string name in optimizer.HyperparameterNames)
        {
            Assert.True(optimizer.TryGetHyperparameter(name, out double value));
            Text($"{name}={value:R}");
        }

        if (optimizer is IScheduleFree scheduleFree)
        {
            Text($"train={scheduleFree.TrainMode}");
        }

        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            Text($"tensor {tensor.Index} step {tensor.Step} length {tensor.Length}");
            Floats(tensor.Parameter.Span);
            Floats(tensor.Gradient.Span);
            for (int i = 0; i < tensor.StateCount; i++)
            {
                Floats(tensor.State(i));
            }

            for (int i = 0; i < tensor.TensorStateCount; i++)
            {
                Floats(MemoryMarshal.CreateReadOnlySpan(ref tensor.TensorState(i), 1));
            }
        }
    }

    private void Text(string text) => _hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));

    private void Floats(ReadOnlySpan<float> values) => _hash.AppendData(MemoryMarshal.AsBytes(values));

    private void Bytes(byte[] bytes) => _hash.AppendData(bytes);
}
