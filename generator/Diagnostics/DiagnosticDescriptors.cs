using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. Ids are stable: never renumber, only add.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "KernelGen";

    public static readonly DiagnosticDescriptor InvalidRuleMethod = Error(
        "KG0001", "Invalid update-rule method",
        "The update rule '{0}' must be a static, non-generic method returning void: {1}");

    public static readonly DiagnosticDescriptor InvalidOptimizerType = Error(
        "KG0002", "Invalid optimizer type",
        "The type '{0}' that declares an update rule must be a partial, non-generic, top-level class marked [Optimizer] with no base class: {1}");

    public static readonly DiagnosticDescriptor LoopNotAllowed = Error(
        "KG0003", "Loops are not allowed in an update rule",
        "An update rule describes one element: '{0}' loops are not allowed (the generator writes the loop)");

    public static readonly DiagnosticDescriptor UnknownCall = Error(
        "KG0004", "Unknown call in an update rule",
        "'{0}' cannot be called in an update rule: the functions are {1}");

    public static readonly DiagnosticDescriptor GradientWritten = Error(
        "KG0005", "The gradient is read-only",
        "The gradient '{0}' cannot be assigned: copy it into a local first");

    public static readonly DiagnosticDescriptor VaryingTranscendental = Error(
        "KG0006", "Transcendental function on a varying value",
        "{0} is applied to a value that varies per element; it is allowed only on uniform values (hyper-parameters, the step, per-tensor state)");

    public static readonly DiagnosticDescriptor InvalidParameter = Error(
        "KG0007", "Unsupported update-rule parameter",
        "The parameter '{0}' is not supported: {1}");

    public static readonly DiagnosticDescriptor MissingRole = Error(
        "KG0008", "Missing update-rule parameter",
        "The update rule '{0}' has no {1}");

    public static readonly DiagnosticDescriptor DuplicateRole = Error(
        "KG0009", "Ambiguous update-rule parameter",
        "The parameter '{0}' is a second {1}: an update rule has exactly one");

    public static readonly DiagnosticDescriptor UnmatchedHyperparameter = Error(
        "KG0010", "Parameter matches no hyper-parameter",
        "The parameter '{0}' {1}");

    public static readonly DiagnosticDescriptor UnsupportedSyntax = Error(
        "KG0011", "Unsupported construct in an update rule",
        "'{0}' is not supported in an update rule: {1}");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        "KG0012", "Unsupported type in an update rule",
        "'{0}' has type '{1}': an update rule computes with float, int and bool only{2}");

    public static readonly DiagnosticDescriptor ReadOnlyAssigned = Error(
        "KG0013", "Read-only value assigned",
        "The {1} '{0}' is read-only in an update rule");

    public static readonly DiagnosticDescriptor VaryingTensorState = Error(
        "KG0014", "Per-tensor state assigned a varying value",
        "The per-tensor state '{0}' is uniform: it cannot be assigned {1}");

    public static readonly DiagnosticDescriptor RuleCount = Error(
        "KG0015", "An optimizer needs exactly one update rule",
        "The optimizer '{0}' has {1} methods marked [UpdateRule]; it needs exactly one");

    public static readonly DiagnosticDescriptor UnsupportedReduction = Error(
        "KG0016", "Unsupported per-tensor reduction",
        "The reduction '{0}' is not supported: {1}");

    public static readonly DiagnosticDescriptor VaryingHelperArgument = Error(
        "KG0017", "Helper argument varies per element",
        "The helper '{0}' runs once per step: its argument '{1}' varies per element (pass hyper-parameters, the step, per-tensor state and values computed from them)");

    public static readonly DiagnosticDescriptor InvalidHelper = Error(
        "KG0018", "Helper method cannot be inlined",
        "The helper '{0}' cannot be inlined in an update rule: {1}");

    public static readonly DiagnosticDescriptor InvalidKernelMethod = Error(
        "KG0019", "Invalid kernel method",
        "The kernel '{0}' must be a static, non-generic method returning void: {1}");

    public static readonly DiagnosticDescriptor InvalidKernelType = Error(
        "KG0020", "Invalid kernel type",
        "The type '{0}' that declares a kernel must be a static partial, non-generic, top-level class: {1}");

    public static readonly DiagnosticDescriptor KernelWritesNothing = Error(
        "KG0021", "Kernel writes no span",
        "The kernel '{0}' has no 'ref float' parameter: a kernel updates at least one span in place");

    public static readonly DiagnosticDescriptor OptimizerOnlyParameter = Error(
        "KG0022", "Optimizer parameter in a kernel",
        "The parameter '{0}' is marked [{1}], which only an update rule has: a kernel takes the value as a uniform argument");

    public static readonly DiagnosticDescriptor RuntimeNotReferenced = Error(
        "KG0030", "The KernelGen runtime is not referenced",
        "KernelGen's generator is here but its runtime (KernelGen.dll) is not: reference the KernelGen package, which brings both, or, with DLLs copied by hand, KernelGen.dll beside KernelGen.Generator.dll");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "KG9999", "The generator failed",
        "KernelGen could not generate '{0}': {1}. Please report this with the rule's source.");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
