using System;
using System.Numerics.Tensors;

namespace KernelGen.Samples.Digits;

/// <summary>
/// The model's parameters and gradients stored as bfloat16 (<c>--params bf16</c>): the optimizer
/// steps the bfloat16 copies; the model computes in float32 on the widened parameters (exact) and
/// rounds its gradients to bfloat16 once the backward pass is done. Gradient clipping, which the
/// library runs on float32 gradients only, is done here on the float32 gradients before rounding,
/// with <c>clip_grad_norm_</c>'s rule.
/// </summary>
public sealed class BFloat16Parameters
{
    private readonly float[][] _parameters;
    private readonly float[][] _gradients;
    private readonly BFloat16[][] _stored;
    private readonly BFloat16[][] _storedGradients;
    private readonly float _maxNorm;

    /// <summary>Rounds the model's initial parameters to bfloat16 (to nearest), so the model starts from the stored values.</summary>
    /// <param name="maxNorm">The gradients' largest total norm, or <see cref="float.PositiveInfinity"/> for no clipping.</param>
    public BFloat16Parameters(Mlp model, float maxNorm)
    {
        _parameters = new[] { model.W1, model.B1, model.W2, model.B2 };
        _gradients = new[] { model.GradW1, model.GradB1, model.GradW2, model.GradB2 };
        _stored = Array.ConvertAll(_parameters, values => Array.ConvertAll(values, v => (BFloat16)v));
        _storedGradients = Array.ConvertAll(_gradients, values => new BFloat16[values.Length]);
        _maxNorm = maxNorm;
        LoadParameters();
    }

    /// <summary>Registers the bfloat16 parameters and gradients, in the model's order (W1, B1, W2, B2).</summary>
    public ParameterTensor[] AddTo(Optimizer optimizer)
    {
        var tensors = new ParameterTensor[_stored.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i] = optimizer.Add(new Memory<BFloat16>(_stored[i]), new Memory<BFloat16>(_storedGradients[i]));
        }

        return tensors;
    }

    /// <summary>Widens the stored parameters into the model's float32 arrays (before a forward pass).</summary>
    public void LoadParameters()
    {
        for (int t = 0; t < _stored.Length; t++)
        {
            for (int i = 0; i < _stored[t].Length; i++)
            {
                _parameters[t][i] = (float)_stored[t][i];
            }
        }
    }

    /// <summary>Clips the model's float32 gradients by their total norm, then rounds them into the stored gradients (after a backward pass).</summary>
    public void StoreGradients()
    {
        double squares = 0;
        foreach (float[] gradient in _gradients)
        {
            squares += TensorPrimitives.SumOfSquares(gradient);
        }

        float norm = (float)Math.Sqrt(squares);
        float coefficient = _maxNorm / (norm + 1e-6f);
        for (int t = 0; t < _gradients.Length; t++)
        {
            float[] gradient = _gradients[t];
            for (int i = 0; i < gradient.Length; i++)
            {
                _storedGradients[t][i] = (BFloat16)(coefficient < 1f ? gradient[i] * coefficient : gradient[i]);
            }
        }
    }
}
