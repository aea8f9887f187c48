using System;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Adam as a user writes it by hand: the bias corrections once per step, then one scalar loop
/// (torch.optim.Adam without weight decay or AMSGrad, as benchmarked).
/// </summary>
public sealed class NaiveAdam : IAdamStep
{
    private readonly AdamSettings _settings;

    /// <summary>Creates the baseline with <paramref name="settings"/> (torch's defaults when omitted).</summary>
    public NaiveAdam(AdamSettings? settings = null) => _settings = settings ?? AdamSettings.Adam;

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

    /// <summary>Binds a baseline to the Adam tensor's arrays.</summary>
    public static Action<int> Bind(TensorArrays arrays) => AdamBinding.Bind(arrays, new NaiveAdam());
}
