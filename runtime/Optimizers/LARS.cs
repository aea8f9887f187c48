using System;

namespace KernelGen;

/// <summary>
/// LARS, as <c>pytorch_optimizer.LARS</c> 3.9.0 (You et al., 2017): g = ±grad; for a tensor of
/// two or more dimensions (<see cref="MultiDimensional"/>), r = trust_coefficient·‖p‖/‖g‖ when
/// both norms are positive, else 1, and g = (g + weight_decay·p)·r; then with momentum
/// b = momentum·b + (1 − dampening)·g (b starts as the first gradient), g = g + momentum·b with
/// Nesterov, else b; p = p − lr·g. The two norms are per-tensor reductions: the kernel makes a
/// reducing pass, then the update.
/// </summary>
/// <remarks>
/// <para>
/// The reference decides by the tensor's shape: <c>p.ndim &gt; 1</c> gets the trust ratio and the
/// weight decay, a 1-D tensor (a bias, a norm's scale) gets neither. KernelGen tensors are flat,
/// so the shape is stated here: <see cref="MultiDimensional"/> = false (the default) is the
/// reference on a 1-D tensor, which is also what it does with the flat tensors its conformance
/// cases record; set it on the group that holds the weight matrices (one optimizer per group, see
/// <see cref="ParameterGroups"/>). The norms are taken in both cases (a rule's reductions are not
/// conditional), so the default pays for a reducing pass whose result it does not use.
/// </para>
/// <para>
/// The momentum buffer starts, as in the reference, as a copy of the first step's raw gradient
/// (before maximize and the trust ratio), then is updated on that same step:
/// b₁ = momentum·grad₁ + (1 − dampening)·g₁. The reference creates it the first time a step sees
/// momentum &gt; 0; here that is the first step (<c>step == 1</c>), so a momentum that turns positive
/// only later starts from a zero buffer.
/// </para>
/// </remarks>
[Optimizer]
public sealed partial class LARS
{
    /// <summary>The learning rate (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>L2 penalty added to the gradient before the trust ratio scales it; multi-dimensional tensors only (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>The momentum factor; 0 turns momentum off (<c>momentum</c>).</summary>
    [Hyperparameter("momentum", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Momentum { get; set; } = 0.9f;

    /// <summary>Dampening of the momentum (<c>dampening</c>).</summary>
    [Hyperparameter("dampening", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Dampening { get; set; }

    /// <summary>η in the trust ratio η·‖p‖/‖g‖ (<c>trust_coefficient</c>).</summary>
    [Hyperparameter("trust_coefficient", Minimum = 0)]
    public float TrustCoefficient { get; set; } = 1e-3f;

    /// <summary>Nesterov momentum (<c>nesterov</c>).</summary>
    [Hyperparameter("nesterov")]
    public bool Nesterov { get; set; }

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>
    /// The tensors are weights of two or more dimensions (the reference's <c>p.ndim &gt; 1</c>):
    /// the trust ratio and the weight decay apply. False, the default, is the reference on a 1-D
    /// tensor: neither applies. See the remarks.
    /// </summary>
    [Hyperparameter]
    public bool MultiDimensional { get; set; }

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float momentumBuffer,
        float learningRate, float weightDecay, float momentum, float dampening, float trustCoefficient,
        bool nesterov, bool maximize, bool multiDimensional, [Step] int step)
    {
        float g = maximize ? -grad : grad;
        float paramNorm = KernelMath.Norm(param);
        float updateNorm = KernelMath.Norm(g);
        if (multiDimensional)
        {
            float trustRatio = paramNorm > 0f && updateNorm > 0f ? trustCoefficient * paramNorm / updateNorm : 1f;
            g = (g + weightDecay * param) * trustRatio;
        }

        if (momentum > 0f)
        {
            // The reference's buffer starts as the raw gradient and is updated on the same step.
            momentumBuffer = (step == 1 ? grad : momentumBuffer) * momentum + (1f - dampening) * g;
            g = nesterov ? g + momentum * momentumBuffer : momentumBuffer;
        }

        param -= learningRate * g;
    }
}
