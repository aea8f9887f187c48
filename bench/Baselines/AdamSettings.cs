using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// The hyper-parameters of the Adam and AdamW baselines (torch's defaults), and the per-step
/// bias corrections every hand-written Adam computes once before its loop.
/// </summary>
/// <param name="LearningRate">torch <c>lr</c>.</param>
/// <param name="Beta1">torch <c>betas[0]</c>.</param>
/// <param name="Beta2">torch <c>betas[1]</c>.</param>
/// <param name="Epsilon">torch <c>eps</c>.</param>
/// <param name="WeightDecay">Decoupled weight decay (AdamW only; the Adam baselines have none, as benchmarked).</param>
public sealed record AdamSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f, float WeightDecay = 0f)
{
    /// <summary>torch.optim.Adam's defaults.</summary>
    public static AdamSettings Adam { get; } = new();

    /// <summary>torch.optim.AdamW's defaults (weight decay 0.01).</summary>
    public static AdamSettings AdamW { get; } = new(WeightDecay: 1e-2f);

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
