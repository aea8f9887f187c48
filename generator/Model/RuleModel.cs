namespace KernelGen.Generator.Model;

/// <summary>The value types of the update-rule language.</summary>
internal enum ValueKind
{
    Float,
    Int,
    Bool,
}

/// <summary>
/// What a rule parameter is to the optimizer. A [Kernel]'s parameters take the same roles: its
/// first span read and written is the Parameter (its length is the loop count), the others State;
/// its read-only spans are Input; its uniform arguments Hyperparameter, with no property.
/// </summary>
internal enum ParameterRole
{
    /// <summary>The parameter being optimized: varying, read-write.</summary>
    Parameter,
    /// <summary>The gradient: varying, read-only.</summary>
    Gradient,
    /// <summary>A per-element state buffer: varying, read-write.</summary>
    State,
    /// <summary>A per-tensor state value: uniform, read-write, persists across steps.</summary>
    TensorState,
    /// <summary>A hyper-parameter: uniform, read-only.</summary>
    Hyperparameter,
    /// <summary>The step count: uniform int, read-only.</summary>
    Step,
    /// <summary>A read-only span of a [Kernel]: varying, read-only, never loss-scaled as a gradient is.</summary>
    Input,
}

internal static class ParameterRoles
{
    /// <summary>Whether the role is a span the loops walk (one value per element), read or written.</summary>
    public static bool IsBuffer(this ParameterRole role) =>
        role is ParameterRole.Parameter or ParameterRole.Gradient or ParameterRole.State or ParameterRole.Input;
}

/// <summary>One parameter of the rule method, in declaration order.</summary>
/// <param name="PropertyName">For a hyper-parameter, the property that feeds it.</param>
internal sealed record RuleParameter(string Name, ParameterRole Role, ValueKind Kind, string? PropertyName);

/// <summary>A property marked [Hyperparameter] (used by the rule or not), with its allowed range if any.</summary>
/// <param name="Minimum">The smallest allowed value, as a C# double literal, or null.</param>
/// <param name="Maximum">The largest allowed value, as a C# double literal, or null.</param>
internal sealed record HyperparameterModel(string PropertyName, ValueKind Kind, EquatableArray<string> Aliases,
    string? Minimum = null, string? Maximum = null, bool MaximumIsExclusive = false);

/// <summary>
/// A parsed update rule: everything the analysis and the emitters need, as plain equatable data.
/// </summary>
/// <param name="SoftwarePipelining">[UpdateRule(SoftwarePipelining = ...)]: whether the vector loops may be software-pipelined.</param>
/// <param name="HelperArguments">The arguments of the helper methods the body inlines, which must be uniform.</param>
/// <param name="IsKernel">A [Kernel] method (span entry points, no optimizer) rather than an [UpdateRule].</param>
/// <param name="Accessibility">A kernel's accessibility (<c>public</c>, <c>internal</c>, <c>private</c>), which its span entry points take.</param>
internal sealed record RuleModel(
    string? Namespace,
    string ClassName,
    string MethodName,
    string RuleSource,
    EquatableArray<RuleParameter> Parameters,
    EquatableArray<HyperparameterModel> Hyperparameters,
    EquatableArray<Stmt> Body,
    bool SoftwarePipelining,
    EquatableArray<HelperArgument> HelperArguments,
    bool IsKernel = false,
    string Accessibility = "public");

/// <summary>An argument of an inlined helper method: the helper runs once per step, so it must be uniform.</summary>
/// <param name="Source">The argument's C# text, for messages (<see cref="SourceLocations"/> holds where it was written).</param>
internal sealed record HelperArgument(string Helper, Expr Value, string Source);

/// <summary>What the generator's transform step produces for one [UpdateRule] method.</summary>
internal sealed record RuleParseResult(RuleModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
