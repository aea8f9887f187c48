using System;

namespace KernelGen;

/// <summary>
/// NovoGrad, as <c>pytorch_optimizer.NovoGrad</c> 3.9.0 (Ginsburg et al., 2019): a second moment
/// per tensor, not per element. With s = Σgrad² (a per-tensor reduction): e = β₂e + (1 − β₂)s;
/// g = ±grad/(√e + ε); p = p(1 − weight_decay·lr) with weight_decouple, else
/// g = g + weight_decay·p; g = (1 − β₁)g with grad_averaging; m = β₁m + g;
/// p = p − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m.
/// </summary>
/// <remarks>
/// The first step starts from the reference's initial state, computed from the raw gradient
/// (before maximize) and the parameter before any decay: e = s and m = grad/(√s + ε) + weight_decay·p;
/// the step's update then runs on them as on any step. e is per-tensor state. adam_debias drops
/// the 1/(1 − β₁ᵗ) as in the reference.
/// </remarks>
[Optimizer]
public sealed partial class NovoGrad
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Decay of the first moment (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.95f;

    /// <summary>Decay of the per-tensor second moment (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.98f;

    /// <summary>Weight decay: L2 on the normalized gradient, or decoupled with weight_decouple (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>Decoupled weight decay, p = p(1 − weight_decay·lr) (<c>weight_decouple</c>).</summary>
    [Hyperparameter("weight_decouple")]
    public bool WeightDecouple { get; set; }

    /// <summary>Decoupled decay by weight_decay rather than weight_decay·lr (<c>fixed_decay</c>).</summary>
    [Hyperparameter("fixed_decay")]
    public bool FixedDecay { get; set; }

    /// <summary>Scale the normalized gradient by 1 − β₁ (<c>grad_averaging</c>).</summary>
    [Hyperparameter("grad_averaging")]
    public bool GradAveraging { get; set; }

    /// <summary>Added to the norm in the denominator (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>AdamD: no 1/(1 − β₁ᵗ) in the step size (<c>adam_debias</c>).</summary>
    [Hyperparameter("adam_debias")]
    public bool AdamDebias { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float moment,
        float learningRate, float beta1, float beta2, float weightDecay, bool weightDecouple, bool fixedDecay,
        bool gradAveraging, float epsilon, bool maximize, bool adamDebias, [Step] int step, [TensorState] ref float gradNormEma)
    {
        float energy = KernelMath.SumOfSquares(grad);

        // The reference's initial state, from the raw gradient and the undecayed parameter (see the remarks).
        if (step == 1)
        {
            gradNormEma = energy;
            moment = grad / (MathF.Sqrt(energy) + epsilon) + weightDecay * param;
        }

        gradNormEma = gradNormEma * beta2 + (1f - beta2) * energy;
        float g = (maximize ? -grad : grad) / (MathF.Sqrt(gradNormEma) + epsilon);
        if (weightDecouple)
        {
            param *= 1f - weightDecay * (fixedDecay ? 1f : learningRate);
        }
        else if (weightDecay > 0f)
        {
            g += weightDecay * param;
        }

        if (gradAveraging)
        {
            g *= 1f - beta1;
        }

        moment = moment * beta1 + g;
        float stepSize = learningRate * MathF.Sqrt(1f - MathF.Pow(beta2, step));
        if (!adamDebias)
        {
            stepSize /= 1f - MathF.Pow(beta1, step);
        }

        param -= stepSize * moment;
    }
}
