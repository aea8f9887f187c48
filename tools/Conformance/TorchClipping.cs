using System;
using KernelGen.Training;

namespace KernelGen.Conformance;

/// <summary>
/// The <see cref="ConformanceOptions.Clipping"/> seam: torch <c>clip_grad_norm_</c> over all the
/// case's tensors before every step, with <see cref="GradientClipping.ClipGradNorm(Optimizer, float, float, bool)"/>
/// on the optimizer's kernel path.
/// </summary>
public static class TorchClipping
{
    /// <summary>The <see cref="ClipperFactory"/>.</summary>
    /// <exception cref="CaseSetupException">An argument the library cannot take.</exception>
    public static IGradientClipper Create(ClipGradNormSpec spec, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!(spec.MaxNorm >= 0))
        {
            throw new CaseSetupException($"clip_grad_norm: max_norm {spec.MaxNorm} is not supported (negative max norms flip the gradients in torch)");
        }

        if (!(spec.NormType > 0))
        {
            throw new CaseSetupException($"clip_grad_norm: norm_type {spec.NormType} is not supported (only p > 0)");
        }

        return new Clipper((float)spec.MaxNorm, (float)spec.NormType);
    }

    private sealed class Clipper : IGradientClipper
    {
        private readonly float _maxNorm;
        private readonly float _normType;

        public Clipper(float maxNorm, float normType)
        {
            _maxNorm = maxNorm;
            _normType = normType;
        }

        public void Clip(Optimizer optimizer) => GradientClipping.ClipGradNorm(optimizer, _maxNorm, _normType);
    }
}
