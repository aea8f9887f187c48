namespace KernelGen.Tests.Kernels;

// docs/reductions.md's optimizer, verbatim (tools/CrossArch compiles this file too).

/// <summary>Momentum on the gradient divided by its norm, scaled by the parameter's norm: one step moves a tensor by a fixed share of its size.</summary>
[Optimizer]
public sealed partial class NormalizedMomentum
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float Beta { get; set; } = 0.9f;
    [Hyperparameter] public float Epsilon { get; set; } = 1e-8f;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float momentum, float learningRate, float beta, float epsilon,
        [TensorState] ref float gradNormAverage)
    {
        float gradNorm = KernelMath.Norm(grad);          // ‖g‖ over the whole tensor: one value
        float paramNorm = KernelMath.Norm(param);        // ‖p‖, taken before the update changes p
        gradNormAverage = 0.99f * gradNormAverage + 0.01f * gradNorm;   // per-tensor state, for monitoring
        momentum = beta * momentum + grad / (gradNorm + epsilon);
        float scale = paramNorm > 0f ? learningRate * paramNorm : learningRate;
        param -= scale * momentum;
    }
}
