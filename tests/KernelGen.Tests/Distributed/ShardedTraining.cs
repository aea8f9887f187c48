using System;
using System.Collections.Generic;
using KernelGen.Distributed;
using KernelGen.Training;

namespace KernelGen.Tests.Distributed;

/// <summary>
/// A small data-parallel training run, played by one process or by sharded ranks on the same
/// data: per step, <see cref="MicroBatches"/> gradients made from the step, the micro-batch and
/// the element, averaged in micro-batch order, clipped by their global norm, then stepped.
/// </summary>
internal static class ShardedTraining
{
    public const int MicroBatches = 12;

    /// <summary>Lengths chosen so shard cuts fall inside tensors, at their ends, and near tiny ones.</summary>
    public static readonly int[] Lengths = { 1000, 37, 515, 3, 0, 64, 250 };

    public const float MaxNorm = 1f;

    /// <summary>The single-process run: a plain optimizer over whole tensors (of <see cref="Lengths"/> unless <paramref name="lengths"/> are given).</summary>
    public static float[][] OneProcess(Func<Optimizer> create, int steps, Action<Optimizer, int>? afterStep = null, Action<Optimizer>? beforeFirst = null, int firstStep = 0, int[]? lengths = null)
    {
        (float[][] parameters, float[][] gradients) = Tensors(lengths ?? Lengths);
        Optimizer optimizer = create();
        for (int t = 0; t < parameters.Length; t++)
        {
            optimizer.Add(parameters[t], gradients[t]);
        }

        beforeFirst?.Invoke(optimizer);
        int total = Total(lengths ?? Lengths);
        var blocks = new float[MicroBatches * total];
        var flat = new float[total];
        for (int step = firstStep; step < steps; step++)
        {
            for (int m = 0; m < MicroBatches; m++)
            {
                FillGradient(step, m, blocks.AsSpan(m * total, total));
            }

            OrderedSum.Sum(blocks, MicroBatches, flat, GradientReduction.Mean);
            Scatter(flat, gradients);
            GradientClipping.ClipGradNorm(optimizer, MaxNorm);
            optimizer.Step();
            afterStep?.Invoke(optimizer, step + 1);
        }

        return parameters;
    }

    /// <summary>One rank of the sharded run; returns its (whole) parameters.</summary>
    public static float[][] Rank(ICommunicator communicator, Func<Optimizer> create, int steps, Action<ShardedOptimizer, int>? afterStep = null, Action<ShardedOptimizer>? beforeFirst = null, int firstStep = 0, int[]? lengths = null)
    {
        (float[][] parameters, float[][] gradients) = Tensors(lengths ?? Lengths);
        var sharded = new ShardedOptimizer(create, communicator, Memories(parameters), Memories(gradients), MicroBatches);
        beforeFirst?.Invoke(sharded);
        int total = Total(lengths ?? Lengths);
        var flat = new float[total];
        int perRank = MicroBatches / communicator.WorldSize;
        for (int step = firstStep; step < steps; step++)
        {
            for (int m = communicator.Rank * perRank; m < (communicator.Rank + 1) * perRank; m++)
            {
                FillGradient(step, m, flat);
                Scatter(flat, gradients);
                sharded.CollectMicroBatch();
            }

            sharded.ReduceGradients();
            GradientClipping.ClipGradNorm(sharded.Tensors, MaxNorm, path: sharded.Inner.Path);
            sharded.Step();
            afterStep?.Invoke(sharded, step + 1);
        }

        return parameters;
    }

    public static int Total() => Total(Lengths);

    public static int Total(int[] lengths)
    {
        int total = 0;
        foreach (int length in lengths)
        {
            total += length;
        }

        return total;
    }

    public static Memory<float>[] Memories(float[][] arrays) => Array.ConvertAll(arrays, a => a.AsMemory());

    private static (float[][] Parameters, float[][] Gradients) Tensors(int[] lengths)
    {
        var parameters = new float[lengths.Length][];
        var gradients = new float[lengths.Length][];
        int at = 0;
        for (int t = 0; t < lengths.Length; t++)
        {
            parameters[t] = new float[lengths[t]];
            gradients[t] = new float[lengths[t]];
            for (int i = 0; i < lengths[t]; i++)
            {
                parameters[t][i] = Noise(-1, -1, at + i) * 0.5f;
            }

            at += lengths[t];
        }

        return (parameters, gradients);
    }

    /// <summary>Micro-batch <paramref name="microBatch"/>'s gradient at <paramref name="step"/>, flat; some steps far larger, so clipping matters.</summary>
    private static void FillGradient(int step, int microBatch, Span<float> flat)
    {
        float scale = step % 3 == 0 ? 0.01f : 1f;
        for (int i = 0; i < flat.Length; i++)
        {
            flat[i] = Noise(step, microBatch, i) * scale;
        }
    }

    private static void Scatter(ReadOnlySpan<float> flat, IReadOnlyList<float[]> tensors)
    {
        int at = 0;
        foreach (float[] tensor in tensors)
        {
            flat.Slice(at, tensor.Length).CopyTo(tensor);
            at += tensor.Length;
        }
    }

    /// <summary>A value in [-1, 1) from a hash of the three numbers.</summary>
    private static float Noise(int step, int microBatch, int element)
    {
        uint h = (uint)step * 0x9E3779B1u ^ (uint)microBatch * 0x85EBCA77u ^ (uint)element * 0xC2B2AE3Du;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        return (h >> 8) / (float)(1 << 23) - 1f;
    }
}
