using System;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// Stochastic gradient descent with momentum, as <c>torch.optim.SGD</c> (PyTorch 1.13):
/// g = ±grad + weight_decay·p; b = g on the first step, else momentum·b + (1 − dampening)·g;
/// g = g + momentum·b with Nesterov, else b; p = p − lr·g.
/// </summary>
[Optimizer]
public sealed partial class SGD
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>The momentum factor; 0 turns momentum off (torch <c>momentum</c>).</summary>
    [Hyperparameter("momentum", Minimum = 0)]
    public float Momentum { get; set; }

    /// <summary>Dampening of the momentum (torch <c>dampening</c>).</summary>
    [Hyperparameter("dampening")]
    public float Dampening { get; set; }

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Nesterov momentum (torch <c>nesterov</c>).</summary>
    [Hyperparameter("nesterov")]
    public bool Nesterov { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>As torch: Nesterov momentum needs a positive momentum and no dampening.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected override void ValidateOptions()
    {
        if (Nesterov && (Momentum <= 0f || Dampening != 0f))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(Nesterov));
        }
    }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float momentumBuffer,
        float learningRate, float momentum, float dampening, float weightDecay, bool nesterov, bool maximize, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        if (momentum != 0f)
        {
            momentumBuffer = step == 1 ? g : momentum * momentumBuffer + (1f - dampening) * g;
            g = nesterov ? g + momentum * momentumBuffer : momentumBuffer;
        }

        param -= learningRate * g;
    }
}
