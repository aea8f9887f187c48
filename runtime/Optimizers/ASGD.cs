using System;

namespace KernelGen;

/// <summary>
/// Averaged stochastic gradient descent, as <c>torch.optim.ASGD</c> (PyTorch 1.13; Polyak and
/// Juditsky, 1992): g = ±grad + weight_decay·p; p = p(1 − λη) − ηg; the average a = p while
/// μ = 1, else a = a + (p − a)μ; then, for the next step, η = lr / (1 + λ·lr·t)^α and
/// μ = 1 / max(1, t − t₀). The first step uses η = lr and μ = 1.
/// </summary>
[Optimizer]
public sealed partial class ASGD
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-2f;

    /// <summary>The decay term λ (torch <c>lambd</c>).</summary>
    [Hyperparameter("lambd")]
    public float Lambda { get; set; } = 1e-4f;

    /// <summary>The power α of the decay of η (torch <c>alpha</c>).</summary>
    [Hyperparameter("alpha")]
    public float Alpha { get; set; } = 0.75f;

    /// <summary>The step t₀ after which averaging starts (torch <c>t0</c>).</summary>
    [Hyperparameter("t0")]
    public float AveragingStart { get; set; } = 1e6f;

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float average,
        float learningRate, float lambda, float alpha, float averagingStart, float weightDecay, bool maximize,
        [Step] int step, [TensorState] ref float eta, [TensorState] ref float mu)
    {
        // Per-tensor state starts at 0; torch starts with η = lr and μ = 1.
        if (step == 1)
        {
            eta = learningRate;
            mu = 1f;
        }

        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        param *= 1f - lambda * eta;
        param -= eta * g;
        if (mu != 1f)
        {
            average += (param - average) * mu;
        }
        else
        {
            average = param;
        }

        eta = learningRate / MathF.Pow(1f + lambda * learningRate * step, alpha);
        mu = 1f / MathF.Max(1f, step - averagingStart);
    }
}
