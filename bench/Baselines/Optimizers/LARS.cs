using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// LARS on a weight matrix as a user writes it by hand: a first loop sums the squares of the
/// parameter and the gradient, then the trust ratio, then the momentum step in a second loop
/// (pytorch_optimizer's defaults with the trust ratio on, as for a tensor of two or more dimensions; weight_decay 0).
/// </summary>
public sealed class NaiveLARS(TensorArrays arrays, LARS settings) : Baseline(arrays, "momentumBuffer")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float trustCoefficient = settings.TrustCoefficient, momentum = settings.Momentum, dampening = settings.Dampening,
            learningRate = settings.LearningRate;
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
        float trustRatio = paramNorm > 0f && gradNorm > 0f ? trustCoefficient * paramNorm / gradNorm : 1f;
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i] * trustRatio;
            float buffer = (step == 1 ? grad[i] : momentumBuffer[i]) * momentum + (1f - dampening) * g;
            momentumBuffer[i] = buffer;
            param[i] -= learningRate * buffer;
        }
    }
}

/// <summary>LARS on a weight matrix composed from <c>TensorPrimitives</c> calls, the two norms from <c>TensorPrimitives.Norm</c> (pytorch_optimizer's defaults with the trust ratio on; weight_decay 0, so g·trust alone).</summary>
public sealed class TensorPrimitivesLARS(TensorArrays arrays, LARS settings) : TensorPrimitivesBaseline(arrays, 1, "momentumBuffer")
{
    /// <inheritdoc/>
    public override void Step(int step)
    {
        float trustCoefficient = settings.TrustCoefficient, dampening = settings.Dampening, momentum = settings.Momentum,
            learningRate = settings.LearningRate;
        Span<float> param = Param, momentumBuffer = State(0), g = Scratch(0);
        ReadOnlySpan<float> grad = Grad;
        float paramNorm = Tp.Norm<float>(param);
        float gradNorm = Tp.Norm<float>(grad);
        float trustRatio = paramNorm > 0f && gradNorm > 0f ? trustCoefficient * paramNorm / gradNorm : 1f;

        // g = grad·trust; b = momentum·b + (1 − dampening)·g (b starts as the gradient); param −= lr·b
        Tp.Multiply(grad, trustRatio * (1f - dampening), g);

        if (step == 1)
        {
            grad.CopyTo(momentumBuffer);
        }

        Tp.MultiplyAdd(momentumBuffer, momentum, g, momentumBuffer);
        Tp.MultiplyAdd(momentumBuffer, -learningRate, param, param);
    }
}
