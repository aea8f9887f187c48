using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// SGD with momentum as a user writes it by hand: one scalar loop over plain spans, the
/// torch.optim.SGD update (no dampening, weight decay or Nesterov, as benchmarked).
/// </summary>
public sealed class NaiveSgd
{
    /// <summary>The learning rate.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>The momentum factor.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>One step; <paramref name="step"/> is 1 on the first, when the buffer starts as the gradient.</summary>
    public void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> momentumBuffer, int step)
    {
        float lr = LearningRate;
        float momentum = Momentum;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float buffer = step == 1 ? g : momentum * momentumBuffer[i] + g;
            momentumBuffer[i] = buffer;
            param[i] -= lr * buffer;
        }
    }

    /// <summary>Binds a baseline to the SGD tensor's arrays.</summary>
    public static Action<int> Bind(TensorArrays arrays)
    {
        var sgd = new NaiveSgd();
        int buffer = arrays.StateIndex("momentumBuffer");
        return step => sgd.Step(arrays.Param, arrays.Grad, arrays.State(buffer), step);
    }
}
