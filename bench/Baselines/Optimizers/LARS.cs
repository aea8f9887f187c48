using System;
using D = KernelGen.Bench.Baselines.Defaults.LARS;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// LARS on a weight matrix as a user writes it by hand: a first loop sums the squares of the
/// parameter and the gradient, then the trust ratio, then the momentum step in a second loop
/// (pytorch_optimizer's defaults with the trust ratio on, as for a tensor of two or more dimensions; weight_decay 0).
/// </summary>
public sealed class NaiveLARS(TensorArrays arrays) : Baseline(arrays, "momentumBuffer")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, momentumBuffer = State(0);
        ReadOnlySpan<float> grad = Grad;
        double paramSquares = 0, gradSquares = 0;
        for (int i = 0; i < param.Length; i++)
        {
            paramSquares += param[i] * param[i];
            gradSquares += grad[i] * grad[i];
        }

        float paramNorm = (float)Math.Sqrt(paramSquares);
        float gradNorm = (float)Math.Sqrt(gradSquares);
        float trustRatio = paramNorm > 0f && gradNorm > 0f ? D.TrustCoefficient * paramNorm / gradNorm : 1f;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i] * trustRatio;
            float buffer = (step == 1 ? grad[i] : momentumBuffer[i]) * D.Momentum + (1f - D.Dampening) * g;
            momentumBuffer[i] = buffer;
            param[i] -= D.Lr * buffer;
        }
    }
}
