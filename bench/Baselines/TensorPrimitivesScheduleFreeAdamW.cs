using System;
using D = KernelGen.Bench.Baselines.Defaults.ScheduleFreeAdamW;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>Schedule-free AdamW composed from <c>TensorPrimitives</c> calls (pytorch_optimizer's defaults).</summary>
public sealed class TensorPrimitivesScheduleFreeAdamW(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 2, "z", "expAvgSq")
{
    private readonly ScheduleFreeWeights _weights = new(D.Lr);

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, z = State(0), expAvgSq = State(1), u = Scratch(0), scratch = Scratch(1);
        ReadOnlySpan<float> grad = Grad;
        // u = g / (√(v/(1 − β₂ᵗ) + 10⁻¹⁵) + ε)
        _weights.Start(step, param, z);
        AverageOfSquares(expAvgSq, D.Beta2, grad, u);
        Tp.Divide(expAvgSq, StepFactors.BiasCorrection(D.Beta2, step), u);
        Tp.Add(u, 1e-15f, u);
        Tp.Sqrt(u, u);
        Tp.Add(u, D.Eps, u);
        Tp.Divide(grad, u, u);

        // y = lerp(y, z, c) + lr(β₁(1 − c) − 1)·u; z −= lr·u
        TorchLerp(param, z, _weights.Checkpoint, scratch);
        Tp.MultiplyAdd(u, _weights.YStep(D.Beta1), param, param);
        Tp.MultiplyAdd(u, -_weights.LearningRate, z, z);
    }
}
