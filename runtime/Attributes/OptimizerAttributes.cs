using System;

namespace KernelGen;

/// <summary>
/// Marks a <c>partial</c> class as an optimizer: the generator adds fused kernels for its
/// <see cref="UpdateRuleAttribute"/> method and makes the class an <see cref="Optimizer"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OptimizerAttribute : Attribute
{
}

/// <summary>
/// Marks a property as a hyper-parameter. The update rule receives its value through the
/// parameter of the same name (camelCase). Hyper-parameters are uniform: one value per step.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class HyperparameterAttribute : Attribute
{
    /// <summary>Declares a hyper-parameter with no alias.</summary>
    public HyperparameterAttribute()
    {
        Aliases = Array.Empty<string>();
    }

    /// <summary>Declares a hyper-parameter that can also be set by other names, such as
    /// PyTorch's (<c>"lr"</c>, <c>"betas[0]"</c>) through <see cref="Optimizer.TrySetHyperparameter"/>.</summary>
    public HyperparameterAttribute(params string[] aliases)
    {
        Aliases = aliases;
    }

    /// <summary>Other names the hyper-parameter answers to.</summary>
    public string[] Aliases { get; }

    /// <summary>The smallest value a step accepts (NaN is always refused when set). Unset: no lower bound.</summary>
    public double Minimum { get; set; } = double.NegativeInfinity;

    /// <summary>The largest value a step accepts. Unset: no upper bound.</summary>
    public double Maximum { get; set; } = double.PositiveInfinity;

    /// <summary>Whether <see cref="Maximum"/> itself is refused (betas lie in [0, 1)).</summary>
    public bool MaximumIsExclusive { get; set; }
}

/// <summary>
/// Marks the static scalar method that updates one element. Its parameters, in any order:
/// the first <c>ref float</c> is the parameter; the other <c>ref float</c> are per-element state
/// buffers (or per-tensor state with <see cref="TensorStateAttribute"/>); a <c>float</c> whose
/// name matches no hyper-parameter is the gradient; parameters named after hyper-parameters
/// receive their values; <see cref="StepAttribute"/> marks the step count.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class UpdateRuleAttribute : Attribute
{
    /// <summary>
    /// Whether the generator may software-pipeline the vector loops of a rule whose divisions and
    /// square roots wait on each other (three or more in a chain): true by default. Either way the
    /// bits are the same; only speed differs, and it differs by rule and machine, so measure with
    /// <c>bench -- quick</c> and turn it off where the plain loop is faster.
    /// </summary>
    public bool SoftwarePipelining { get; set; } = true;
}

/// <summary>Marks the <c>int</c> parameter that receives the step count (1 on the first step).</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class StepAttribute : Attribute
{
}

/// <summary>
/// Marks a <c>ref float</c> parameter as per-tensor state: one uniform value per tensor that
/// persists across steps (NAdam's momentum product, ASGD's eta and mu). It starts at 0.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class TensorStateAttribute : Attribute
{
}
