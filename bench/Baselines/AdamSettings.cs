using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The hyper-parameters of the Adam and AdamW baselines, read from the optimizer they stand
/// beside, and the per-step bias corrections every hand-written Adam computes once before its loop.
/// </summary>
/// <param name="LearningRate">torch <c>lr</c>.</param>
/// <param name="Beta1">torch <c>betas[0]</c>.</param>
/// <param name="Beta2">torch <c>betas[1]</c>.</param>
/// <param name="Epsilon">torch <c>eps</c>.</param>
/// <param name="WeightDecay">Decoupled weight decay (AdamW; 0 for Adam).</param>
public sealed record AdamSettings(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay)
{
    /// <summary>The settings of <paramref name="adam"/>, which must have no weight decay: the Adam baselines have no L2 term, as benchmarked.</summary>
    /// <exception cref="ArgumentException">The optimizer has a weight decay.</exception>
    public static AdamSettings Of(Adam adam) => adam.WeightDecay == 0f
        ? new(adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, WeightDecay: 0f)
        : throw new ArgumentException("The Adam baselines have no L2 weight decay; benchmark Adam with weight_decay 0.", nameof(adam));

    /// <summary>The settings of <paramref name="adamW"/>, its decoupled weight decay included.</summary>
    public static AdamSettings Of(AdamW adamW) => new(adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay);

    /// <summary>lr / (1 − β₁ᵗ).</summary>
    public float StepSize(int step) => LearningRate / (1f - MathF.Pow(Beta1, step));

    /// <summary>√(1 − β₂ᵗ).</summary>
    public float BiasCorrection2Sqrt(int step) => MathF.Sqrt(1f - MathF.Pow(Beta2, step));
}

/// <summary>A step of Adam or AdamW on plain spans; <paramref name="step"/> is 1 on the first.</summary>
public interface IAdamStep
{
    /// <summary>One step.</summary>
    void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, int step);
}

/// <summary>Binds an Adam-shaped baseline to the tensor of an Adam or AdamW optimizer (state looked up by the rule's names).</summary>
public static class AdamBinding
{
    /// <summary>Returns the bound step.</summary>
    public static Action<int> Bind(TensorArrays arrays, IAdamStep adam)
    {
        int expAvg = arrays.StateIndex("expAvg");
        int expAvgSq = arrays.StateIndex("expAvgSq");
        return step => adam.Step(arrays.Param, arrays.Grad, arrays.State(expAvg), arrays.State(expAvgSq), step);
    }
}
