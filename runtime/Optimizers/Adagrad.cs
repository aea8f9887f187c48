using System;

namespace KernelGen;

/// <summary>
/// Adagrad, as <c>torch.optim.Adagrad</c> (PyTorch 1.13; Duchi, Hazan and Singer, 2011):
/// g = ±grad + weight_decay·p; clr = lr / (1 + (t − 1)·lr_decay); s = s + g² (s starts at
/// initial_accumulator_value); p = p − clr·g / (√s + ε).
/// </summary>
[Optimizer]
public sealed partial class Adagrad
{
    /// <summary>The learning rate (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-2f;

    /// <summary>Decay of the learning rate: clr = lr / (1 + (t − 1)·lr_decay) (torch <c>lr_decay</c>).</summary>
    [Hyperparameter("lr_decay", Minimum = 0)]
    public float LearningRateDecay { get; set; }

    /// <summary>L2 penalty added to the gradient (torch <c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>The value the sum of squared gradients starts from (torch <c>initial_accumulator_value</c>).</summary>
    [Hyperparameter("initial_accumulator_value", Minimum = 0)]
    public float InitialAccumulatorValue { get; set; }

    /// <summary>Added to the denominator for stability (torch <c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-10f;

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float sum,
        float learningRate, float learningRateDecay, float weightDecay, float initialAccumulatorValue, float epsilon, bool maximize,
        [Step] int step)
    {
        float g = maximize ? -grad : grad;
        if (weightDecay != 0f)
        {
            g += weightDecay * param;
        }

        float clr = learningRate / (1f + (step - 1f) * learningRateDecay);

        // State buffers start at 0; torch fills the sum with initial_accumulator_value on the first step.
        sum = (step == 1 ? initialAccumulatorValue : sum) + g * g;
        param -= clr * g / (MathF.Sqrt(sum) + epsilon);
    }
}
