using System;
using D = KernelGen.Bench.Baselines.Defaults.Rprop;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Rprop composed from <c>TensorPrimitives</c> calls (torch.optim.Rprop's defaults).
/// TensorPrimitives has no element-wise select, so the three cases of sign(g·g_prev) become
/// arithmetic on the sign: with n = min(s, 0) and p = max(s, 0), the factor is
/// 1 + (η₊ − 1)p + (1 − η₋)n and the gradient is masked by 1 + n.
/// </summary>
public sealed class TensorPrimitivesRprop(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "previous", "stepSize")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, previous = State(0), stepSize = State(1), factor = Scratch(0), negative = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            stepSize.Fill(D.Lr);
        }

        Tp.Multiply(grad, previous, factor);
        SignOf(factor, factor);
        Tp.Min(factor, 0f, negative);
        Tp.Max(factor, 0f, factor);
        Tp.Multiply(factor, D.EtaPlus - 1f, factor);
        Tp.MultiplyAdd(negative, 1f - D.EtaMinus, factor, factor);
        Tp.Add(factor, 1f, factor);
        Tp.Multiply(stepSize, factor, stepSize);
        Tp.Clamp(stepSize, D.MinStep, D.MaxStep, stepSize);

        // g = 0 where the sign changed; param −= sign(g)·stepSize; previous = g
        Tp.Add(negative, 1f, negative);
        Tp.Multiply(grad, negative, previous);
        SignOf(previous, factor);
        Tp.Multiply(factor, stepSize, factor);
        Tp.Subtract(param, factor, param);
    }
}
