using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// SGD with momentum composed from <c>TensorPrimitives</c> calls, one pass over memory per call,
/// as a user of System.Numerics.Tensors writes it: buffer = momentum·buffer + g; param −= lr·buffer.
/// </summary>
public sealed class TensorPrimitivesSgd
{
    /// <summary>The learning rate.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>The momentum factor.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>One step; <paramref name="step"/> is 1 on the first, when the buffer starts as the gradient.</summary>
    public void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> momentumBuffer, int step)
    {
        if (step == 1)
        {
            grad.CopyTo(momentumBuffer);
        }
        else
        {
            Tp.MultiplyAdd(momentumBuffer, Momentum, grad, momentumBuffer);
        }

        Tp.MultiplyAdd(momentumBuffer, -LearningRate, param, param);
    }

    /// <summary>Binds a baseline to the SGD tensor's arrays.</summary>
    public static Action<int> Bind(TensorArrays arrays)
    {
        var sgd = new TensorPrimitivesSgd();
        int buffer = arrays.StateIndex("momentumBuffer");
        return step => sgd.Step(arrays.Param, arrays.Grad, arrays.State(buffer), step);
    }
}
