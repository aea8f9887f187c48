using System;
using D = KernelGen.Bench.Baselines.Defaults.Adagrad;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Adagrad composed from <c>TensorPrimitives</c> calls (torch.optim.Adagrad's defaults).</summary>
public sealed class TensorPrimitivesAdagrad(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "sum")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, sum = State(0), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        if (step == 1)
        {
            sum.Fill(D.InitialAccumulator);
        }

        // sum += g²; param −= clr·g / (√sum + ε)
        Tp.MultiplyAdd(grad, grad, sum, sum);
        Tp.Sqrt(sum, scratch);
        Tp.Add(scratch, D.Eps, scratch);
        Tp.Divide(grad, scratch, scratch);
        Tp.MultiplyAdd(scratch, -D.Lr / (1f + (step - 1f) * D.LrDecay), param, param);
    }
}
