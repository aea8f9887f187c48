using System;

namespace KernelGen;

/// <summary>
/// RMSprop, as <c>torch.optim.RMSprop</c> (PyTorch 1.13; Hinton's lecture 6e, centered form from
/// Graves, 2013): g = ±grad + weight_decay·p; v = αv + (1 − α)g²; centered: a = αa + (1 − α)g and
/// d = √(v − a²) + ε, else d = √v + ε; with momentum b = momentum·b + g/d and p = p − lr·b,
/// else p = p − lr·g/d.
/// </summary>
[Optimizer]
public sealed partial class RMSprop
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-2f;

    /// <summary>Smoothing constant of the running averages (torch <c>alpha</c>).</summary>
    [Hyperparameter("alpha", Minimum = 0)]
    public float Alpha { get; set; } = 0.99f;

    /// <summary>Added to the denominator for stability (torch <c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>The momentum factor; only a positive value turns momentum on, as in torch (torch <c>momentum</c>).</summary>
    [Hyperparameter("momentum", Minimum = 0)]
    public float Momentum { get; set; }

    /// <summary>Normalize by the estimated variance instead of the second moment (torch <c>centered</c>).</summary>
    [Hyperparameter("centered")]
    public bool Centered { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float squareAvg, ref float gradAvg, ref float momentumBuffer,
        float learningRate, float alpha, float epsilon, float weightDecay, float momentum, bool centered, bool maximize)
    {
        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        squareAvg = squareAvg * alpha + (1f - alpha) * g * g;
        float average;
        if (centered)
        {
            gradAvg = gradAvg * alpha + (1f - alpha) * g;
            average = MathF.Sqrt(squareAvg - gradAvg * gradAvg) + epsilon;
        }
        else
        {
            average = MathF.Sqrt(squareAvg) + epsilon;
        }

        if (momentum > 0f)
        {
            momentumBuffer = momentumBuffer * momentum + g / average;
            param -= learningRate * momentumBuffer;
        }
        else
        {
            param -= learningRate * g / average;
        }
    }
}
