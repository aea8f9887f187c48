using System;

namespace KernelGen.Bench.Baselines.Optimizers;

/// <summary>
/// AdamW as a user writes it by hand: decoupled weight decay and the bias corrections once per
/// step, then one scalar loop (torch.optim.AdamW without AMSGrad, as benchmarked).
/// </summary>
public sealed class NaiveAdamW : IAdamStep
{
    private readonly AdamSettings _settings;

    /// <summary>Creates the baseline with <paramref name="settings"/>.</summary>
    public NaiveAdamW(AdamSettings settings) => _settings = settings;

    /// <inheritdoc/>
    public void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, int step)
    {
        float beta1 = _settings.Beta1;
        float beta2 = _settings.Beta2;
        float epsilon = _settings.Epsilon;
        float decay = 1f - _settings.LearningRate * _settings.WeightDecay;
        float stepSize = _settings.StepSize(step);
        float biasCorrection2Sqrt = _settings.BiasCorrection2Sqrt(step);
        for (int i = 0; i < param.Length; i++)
        {
            float g = grad[i];
            float m = beta1 * expAvg[i] + (1f - beta1) * g;
            float v = beta2 * expAvgSq[i] + (1f - beta2) * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            param[i] = param[i] * decay - stepSize * m / (MathF.Sqrt(v) / biasCorrection2Sqrt + epsilon);
        }
    }

    /// <summary>Binds a baseline to the AdamW tensor's arrays, with <paramref name="adamW"/>'s settings.</summary>
    public static Action<int> Bind(TensorArrays arrays, AdamW adamW) => AdamBinding.Bind(arrays, new NaiveAdamW(AdamSettings.Of(adamW)));
}

/// <summary>
/// AdamW composed from <c>TensorPrimitives</c> calls: <see cref="TensorPrimitivesAdam"/>, whose
/// decoupled weight decay adds one pass over the parameter before Adam's ten.
/// </summary>
public static class TensorPrimitivesAdamW
{
    /// <summary>Binds the AdamW baseline to the AdamW tensor's arrays, with <paramref name="adamW"/>'s settings.</summary>
    public static Action<int> Bind(TensorArrays arrays, AdamW adamW) => AdamBinding.Bind(arrays, new TensorPrimitivesAdam(arrays.Length, AdamSettings.Of(adamW)));
}
