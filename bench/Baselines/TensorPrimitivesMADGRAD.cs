using System;
using D = KernelGen.Bench.Baselines.Defaults.MADGRAD;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>MADGRAD composed from <c>TensorPrimitives</c> calls, the cube root from <c>TensorPrimitives.Cbrt</c> (pytorch_optimizer's defaults: momentum 0.9).</summary>
public sealed class TensorPrimitivesMADGRAD(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "gradSumSq", "sum", "x0")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, gradSumSq = State(0), sum = State(1), x0 = State(2), scaled = Scratch(0), z = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            param.CopyTo(x0);
        }

        // Σ += λg²; s += λg with λ = (lr + ε)√t
        Tp.Multiply(grad, (D.Lr + D.Eps) * MathF.Sqrt(step), scaled);
        Tp.MultiplyAdd(scaled, grad, gradSumSq, gradSumSq);
        Tp.Add(sum, scaled, sum);

        // z = x₀ − s/(∛Σ + ε); param = momentum·param + (1 − momentum)·z
        Tp.Cbrt(gradSumSq, z);
        Tp.Add(z, D.Eps, z);
        Tp.Divide(sum, z, z);
        Tp.Subtract(x0, z, z);
        Tp.Multiply(param, D.Momentum, param);
        Tp.MultiplyAdd(z, 1f - D.Momentum, param, param);
    }
}
