using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>NAdam as a user writes it by hand: the momentum schedule and bias correction once per step, then one scalar loop (torch.optim.NAdam 1.13's defaults).</summary>
public sealed class NaiveNAdam(TensorArrays arrays, NAdam settings) : Baseline(arrays, "expAvg", "expAvgSq")
{
    private readonly NAdamMomentum _momentum = new(settings);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta2 = settings.Beta2, beta1 = settings.Beta1, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1);
        ReadOnlySpan<float> grad = Grad;
        _momentum.Advance(step);
        float gradStep = _momentum.GradStep;
        float averageStep = _momentum.AverageStep;
        float biasCorrection2 = 1f - MathF.Pow(beta2, step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = expAvg[i] = TorchMath.Average(expAvg[i], beta1, g);
            float v = expAvgSq[i] = TorchMath.AverageOfSquares(expAvgSq[i], beta2, g);
            float denominator = MathF.Sqrt(v / biasCorrection2) + epsilon;
            param[i] -= gradStep * g / denominator + averageStep * m / denominator;
        }
    }
}

/// <summary>NAdam composed from <c>TensorPrimitives</c> calls (torch.optim.NAdam 1.13's defaults).</summary>
public sealed class TensorPrimitivesNAdam(TensorArrays arrays, NAdam settings) : TensorPrimitivesBaseline(arrays, 2, "expAvg", "expAvgSq")
{
    private readonly NAdamMomentum _momentum = new(settings);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        float beta1 = settings.Beta1, beta2 = settings.Beta2, epsilon = settings.Epsilon;
        Span<float> param = Param, expAvg = State(0), expAvgSq = State(1), denominator = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        _momentum.Advance(step);
        Average(expAvg, beta1, grad);
        AverageOfSquares(expAvgSq, beta2, grad, scratch);

        // d = √(v / (1 − β₂ᵗ)) + ε; param −= gradStep·g/d + averageStep·m/d
        Tp.Divide(expAvgSq, 1f - MathF.Pow(beta2, step), denominator);
        Tp.Sqrt(denominator, denominator);
        Tp.Add(denominator, epsilon, denominator);
        Tp.Divide(grad, denominator, scratch);
        Tp.MultiplyAdd(scratch, -_momentum.GradStep, param, param);
        Tp.Divide(expAvg, denominator, scratch);
        Tp.MultiplyAdd(scratch, -_momentum.AverageStep, param, param);
    }
}

/// <summary>
/// NAdam's momentum schedule, per tensor: μₜ = β₁(1 − ½·0.96^(tψ)) and the product Πₜ = μ₁⋯μₜ,
/// giving the two step sizes of torch 1.13's update (its second denominator counts μₜ twice, as the rule does).
/// </summary>
internal sealed class NAdamMomentum(NAdam settings)
{
    private float _muProduct;

    /// <summary>lr(1 − μₜ)/(1 − Πₜ), the step along g/d.</summary>
    public float GradStep { get; private set; }

    /// <summary>lr·μₜ₊₁/(1 − Πₜμₜμₜ₊₁), the step along m/d.</summary>
    public float AverageStep { get; private set; }

    /// <summary>Advances to step <paramref name="step"/> (1 on the first).</summary>
    public void Advance(int step)
    {
        float beta1 = settings.Beta1, decay = settings.MomentumDecay, lr = settings.LearningRate;
        float mu = beta1 * (1f - 0.5f * MathF.Pow(0.96f, step * decay));
        float muNext = beta1 * (1f - 0.5f * MathF.Pow(0.96f, (step + 1f) * decay));
        _muProduct = (step == 1 ? 1f : _muProduct) * mu;
        GradStep = lr * (1f - mu) / (1f - _muProduct);
        AverageStep = lr * muNext / (1f - _muProduct * mu * muNext);
    }
}
