using System;
using D = KernelGen.Bench.Baselines.Defaults.RMSprop;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>RMSprop composed from <c>TensorPrimitives</c> calls (torch.optim.RMSprop's defaults: not centered, no momentum).</summary>
public sealed class TensorPrimitivesRMSprop(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "squareAvg")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, squareAvg = State(0), scratch = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        AverageOfSquares(squareAvg, D.Alpha, grad, scratch);

        // param −= lr·g / (√v + ε)
        Tp.Sqrt(squareAvg, scratch);
        Tp.Add(scratch, D.Eps, scratch);
        Tp.Divide(grad, scratch, scratch);
        Tp.MultiplyAdd(scratch, -D.Lr, param, param);
    }
}
