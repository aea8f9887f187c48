using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The schedule-free averaging weights, per tensor (r = 0, weight_lr_power = 2, no warm-up):
/// lr_max = max(lr, previous lr_max); w = tʳ·lr_maxᵖ; W = W + w; c = w/W.
/// </summary>
internal sealed class ScheduleFreeWeights(float learningRate)
{
    private float _lrMax;
    private float _weightSum;

    /// <summary>The learning rate of this step (no warm-up: the learning rate).</summary>
    public float LearningRate => learningRate;

    /// <summary>c, the weight of z in this step's interpolation.</summary>
    public float Checkpoint { get; private set; }

    /// <summary>lr(β(1 − c) − 1), the step of y along the update (β: β₁ or the momentum).</summary>
    public float YStep(float beta) => learningRate * (beta * (1f - Checkpoint) - 1f);

    /// <summary>Starts step <paramref name="step"/> (1 on the first, when z starts as the parameter): computes c.</summary>
    public void Start(int step, ReadOnlySpan<float> param, Span<float> z)
    {
        if (step == 1)
        {
            param.CopyTo(z);
        }

        _lrMax = MathF.Max(learningRate, step == 1 ? -1f : _lrMax);
        float weight = MathF.Pow(step, 0f) * MathF.Pow(_lrMax, 2f);
        _weightSum += weight;
        Checkpoint = _weightSum != 0f ? weight / _weightSum : 0f;
    }
}

