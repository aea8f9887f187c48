using System;

namespace KernelGen;

/// <summary>
/// Adadelta, as <c>torch.optim.Adadelta</c> (PyTorch 1.13; Zeiler, 2012):
/// g = ±grad + weight_decay·p; v = ρv + (1 − ρ)g²; Δ = √(u + ε) / √(v + ε) · g;
/// u = ρu + (1 − ρ)Δ²; p = p − lr·Δ.
/// </summary>
[Optimizer]
public sealed partial class Adadelta
{
    /// <summary>Scales the update (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1f;

    /// <summary>Decay of both running averages (torch <c>rho</c>).</summary>
    [Hyperparameter("rho", Minimum = 0, Maximum = 1)]
    public float Rho { get; set; } = 0.9f;

    /// <summary>Added inside both square roots for stability (torch <c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-6f;

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float squareAvg, ref float accDelta,
        float learningRate, float rho, float epsilon, float weightDecay, bool maximize)
    {
        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        squareAvg = squareAvg * rho + (1f - rho) * g * g;
        float std = MathF.Sqrt(squareAvg + epsilon);
        float delta = MathF.Sqrt(accDelta + epsilon) / std * g;
        accDelta = accDelta * rho + (1f - rho) * delta * delta;
        param -= learningRate * delta;
    }
}
