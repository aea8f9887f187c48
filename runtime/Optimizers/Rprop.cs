using System;

namespace KernelGen;

/// <summary>
/// Resilient backpropagation, as <c>torch.optim.Rprop</c> (PyTorch 1.13; Riedmiller and Braun,
/// 1993, without weight backtracking): g = ±grad; per element, the step size s (lr at first) is
/// multiplied by η₊ where g·g_prev &gt; 0, by η₋ where g·g_prev &lt; 0, and clamped to
/// [step_sizes[0], step_sizes[1]]; where g·g_prev &lt; 0, g is set to 0 (no move, and the next
/// step sees no sign change); p = p − sign(g)·s; g_prev = g.
/// </summary>
[Optimizer]
public sealed partial class Rprop
{
    /// <summary>The initial step size of every element (torch <c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-2f;

    /// <summary>The step-size factor after a sign change, η₋ (torch <c>etas[0]</c>).</summary>
    [Hyperparameter("etas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float EtaMinus { get; set; } = 0.5f;

    /// <summary>The step-size factor while the sign holds, η₊ (torch <c>etas[1]</c>).</summary>
    [Hyperparameter("etas[1]", Minimum = 1)]
    public float EtaPlus { get; set; } = 1.2f;

    /// <summary>The smallest step size (torch <c>step_sizes[0]</c>).</summary>
    [Hyperparameter("step_sizes[0]")]
    public float MinStepSize { get; set; } = 1e-6f;

    /// <summary>The largest step size (torch <c>step_sizes[1]</c>).</summary>
    [Hyperparameter("step_sizes[1]")]
    public float MaxStepSize { get; set; } = 50f;

    /// <summary>Maximize the objective instead of minimizing it (torch <c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float previous, ref float stepSize,
        float learningRate, float etaMinus, float etaPlus, float minStepSize, float maxStepSize, bool maximize, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        float product = g * previous;

        // torch's sign(): NaN gives 0, so a NaN product leaves the step size as it is.
        float factor = product > 0f ? etaPlus : product < 0f ? etaMinus : 1f;

        // State buffers start at 0; torch fills the step sizes with lr on the first step.
        stepSize = MathF.Min(MathF.Max((step == 1 ? learningRate : stepSize) * factor, minStepSize), maxStepSize);
        if (product < 0f)
        {
            g = 0f;
        }

        // torch's sign(), not KernelMath.Sign: NaN and -0 give 0, so such an element does not move.
        float direction = g > 0f ? 1f : g < 0f ? -1f : 0f;
        param -= direction * stepSize;
        previous = g;
    }
}
