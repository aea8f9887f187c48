using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// Adam as a user writes it by hand: the bias corrections once per step, then one scalar loop
/// (torch.optim.Adam without weight decay or AMSGrad, as benchmarked).
/// </summary>
public sealed class NaiveAdam : IAdamStep
{
    private readonly AdamSettings _settings;

    /// <summary>Creates the baseline with <paramref name="settings"/>.</summary>
    public NaiveAdam(AdamSettings settings) => _settings = settings;

    /// <inheritdoc/>
    public void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, int step)
    {
        float beta1 = _settings.Beta1;
        float beta2 = _settings.Beta2;
        float epsilon = _settings.Epsilon;
        float stepSize = _settings.StepSize(step);
        float biasCorrection2Sqrt = _settings.BiasCorrection2Sqrt(step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = beta1 * expAvg[i] + (1f - beta1) * g;
            float v = beta2 * expAvgSq[i] + (1f - beta2) * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            param[i] -= stepSize * m / (MathF.Sqrt(v) / biasCorrection2Sqrt + epsilon);
        }
    }

    /// <summary>Binds a baseline to the Adam tensor's arrays, with <paramref name="adam"/>'s settings.</summary>
    public static Action<int> Bind(TensorArrays arrays, Adam adam) => AdamBinding.Bind(arrays, new NaiveAdam(AdamSettings.Of(adam)));
}

/// <summary>
/// Adam and AdamW composed from <c>TensorPrimitives</c> calls, as a user of
/// System.Numerics.Tensors writes them: one pass over memory per call (eleven with AdamW's
/// decay, ten without) where the fused kernel makes one. One scratch buffer, allocated once,
/// so a step allocates nothing.
/// </summary>
public sealed class TensorPrimitivesAdam : IAdamStep
{
    private readonly AdamSettings _settings;
    private readonly AlignedBuffer _scratch;

    /// <summary>Creates the baseline for tensors of <paramref name="length"/> elements; a weight decay in <paramref name="settings"/> makes it AdamW.</summary>
    public TensorPrimitivesAdam(int length, AdamSettings settings)
    {
        _settings = settings;
        _scratch = new AlignedBuffer(length);
    }

    /// <inheritdoc/>
    public void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, int step)
    {
        float beta1 = _settings.Beta1;
        float beta2 = _settings.Beta2;
        Span<float> scratch = _scratch.Span;
        if (_settings.WeightDecay != 0f)
        {
            Tp.Multiply(param, 1f - _settings.LearningRate * _settings.WeightDecay, param);
        }

        // expAvg = β₁·expAvg + (1 − β₁)·g
        Tp.Multiply(expAvg, beta1, expAvg);
        Tp.MultiplyAdd(grad, 1f - beta1, expAvg, expAvg);

        // expAvgSq = β₂·expAvgSq + (1 − β₂)·g·g
        Tp.Multiply(grad, 1f - beta2, scratch);
        Tp.Multiply(scratch, grad, scratch);
        Tp.MultiplyAdd(expAvgSq, beta2, scratch, expAvgSq);

        // param −= stepSize·expAvg / (√expAvgSq / √(1 − β₂ᵗ) + ε)
        Tp.Sqrt(expAvgSq, scratch);
        Tp.Divide(scratch, _settings.BiasCorrection2Sqrt(step), scratch);
        Tp.Add(scratch, _settings.Epsilon, scratch);
        Tp.Divide(expAvg, scratch, scratch);
        Tp.MultiplyAdd(scratch, -_settings.StepSize(step), param, param);
    }

    /// <summary>Binds the Adam baseline to the Adam tensor's arrays, with <paramref name="adam"/>'s settings.</summary>
    public static Action<int> Bind(TensorArrays arrays, Adam adam) => AdamBinding.Bind(arrays, new TensorPrimitivesAdam(arrays.Length, AdamSettings.Of(adam)));
}
