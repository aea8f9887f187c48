using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>Rprop as a user writes it by hand: one scalar loop with the sign tests inline (torch.optim.Rprop's defaults).</summary>
public sealed class NaiveRprop(TensorArrays arrays, Rprop settings) : Baseline(arrays, "previous", "stepSize")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float etaPlus = settings.EtaPlus, etaMinus = settings.EtaMinus, learningRate = settings.LearningRate,
            minStepSize = settings.MinStepSize, maxStepSize = settings.MaxStepSize;
        Span<float> param = Param, previous = State(0), stepSize = State(1);
        ReadOnlySpan<float> grad = Grad;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float product = g * previous[i];
            float factor = product > 0f ? etaPlus : product < 0f ? etaMinus : 1f;
            float size = MathF.Min(MathF.Max((step == 1 ? learningRate : stepSize[i]) * factor, minStepSize), maxStepSize);
            stepSize[i] = size;
            g = product < 0f ? 0f : g;
            param[i] -= TorchMath.Sign(g) * size;
            previous[i] = g;
        }
    }
}

/// <summary>
/// Rprop composed from <c>TensorPrimitives</c> calls (torch.optim.Rprop's defaults).
/// TensorPrimitives has no element-wise select, so the three cases of sign(g·g_prev) become
/// arithmetic on the sign: with n = min(s, 0) and p = max(s, 0), the factor is
/// 1 + (η₊ − 1)p + (1 − η₋)n and the gradient is masked by 1 + n.
/// </summary>
public sealed class TensorPrimitivesRprop(TensorArrays arrays, Rprop settings) : TensorPrimitivesBaseline(arrays, 2, "previous", "stepSize")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float learningRate = settings.LearningRate, etaPlus = settings.EtaPlus, etaMinus = settings.EtaMinus,
            minStepSize = settings.MinStepSize, maxStepSize = settings.MaxStepSize;
        Span<float> param = Param, previous = State(0), stepSize = State(1), factor = Scratch(0), negative = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            stepSize.Fill(learningRate);
        }

        Tp.Multiply(grad, previous, factor);
        SignOf(factor, factor);
        Tp.Min(factor, 0f, negative);
        Tp.Max(factor, 0f, factor);
        Tp.Multiply(factor, etaPlus - 1f, factor);
        Tp.MultiplyAdd(negative, 1f - etaMinus, factor, factor);
        Tp.Add(factor, 1f, factor);
        Tp.Multiply(stepSize, factor, stepSize);
        Tp.Clamp(stepSize, minStepSize, maxStepSize, stepSize);

        // g = 0 where the sign changed; param −= sign(g)·stepSize; previous = g
        Tp.Add(negative, 1f, negative);
        Tp.Multiply(grad, negative, previous);
        SignOf(previous, factor);
        Tp.Multiply(factor, stepSize, factor);
        Tp.Subtract(param, factor, param);
    }
}
