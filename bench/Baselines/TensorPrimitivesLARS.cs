using System;
using D = KernelGen.Bench.Baselines.Defaults.LARS;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>LARS on a weight matrix composed from <c>TensorPrimitives</c> calls, the two norms from <c>TensorPrimitives.Norm</c> (pytorch_optimizer's defaults with the trust ratio on; weight_decay 0, so g·trust alone).</summary>
public sealed class TensorPrimitivesLARS(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "momentumBuffer")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, momentumBuffer = State(0), g = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        float paramNorm = Tp.Norm<float>(param);
        float gradNorm = Tp.Norm<float>(grad);
        float trustRatio = paramNorm > 0f && gradNorm > 0f ? D.TrustCoefficient * paramNorm / gradNorm : 1f;

        // g = grad·trust; b = momentum·b + (1 − dampening)·g (b starts as the gradient); param −= lr·b
        Tp.Multiply(grad, trustRatio * (1f - D.Dampening), g);

        if (step == 1)
        {
            grad.CopyTo(momentumBuffer);
        }

        Tp.MultiplyAdd(momentumBuffer, D.Momentum, g, momentumBuffer);
        Tp.MultiplyAdd(momentumBuffer, -D.Lr, param, param);
    }
}
