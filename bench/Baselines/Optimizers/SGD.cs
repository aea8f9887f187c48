using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// SGD with momentum as a user writes it by hand: one scalar loop over plain spans, the
/// torch.optim.SGD update (no dampening, weight decay or Nesterov, as benchmarked).
/// </summary>
public sealed class NaiveSgd(TensorArrays arrays, SGD settings) : Baseline(arrays, "momentumBuffer")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, momentum = settings.Momentum;
        Span<float> param = Param, momentumBuffer = State(0);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float buffer = step == 1 ? g : momentum * momentumBuffer[i] + g;
            momentumBuffer[i] = buffer;
            param[i] -= learningRate * buffer;
        }
    }
}

/// <summary>
/// SGD with momentum composed from <c>TensorPrimitives</c> calls, one pass over memory per call,
/// as a user of System.Numerics.Tensors writes it: buffer = momentum·buffer + g; param −= lr·buffer.
/// </summary>
public sealed class TensorPrimitivesSgd(TensorArrays arrays, SGD settings) : TensorPrimitivesBaseline(arrays, 0, "momentumBuffer")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, momentumBuffer = State(0);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            grad.CopyTo(momentumBuffer);
        }
        else
        {
            Tp.MultiplyAdd(momentumBuffer, settings.Momentum, grad, momentumBuffer);
        }

        Tp.MultiplyAdd(momentumBuffer, -settings.LearningRate, param, param);
    }
}
