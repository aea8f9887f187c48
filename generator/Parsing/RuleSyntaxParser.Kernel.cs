using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

// The [Kernel] entry: an element-wise method over spans, read with the same statement and
// expression parsing as an update rule; only its parameters and its declaring type differ.
internal sealed partial class RuleSyntaxParser
{
    internal const string KernelAttribute = "KernelGen.KernelAttribute";
    private const string UniformAttribute = "KernelGen.UniformAttribute";

    private bool _kernel;

    /// <param name="locations">Receives where each statement and call of the model was written.</param>
    public static RuleParseResult ParseKernel(GeneratorAttributeSyntaxContext context, SourceLocations locations, CancellationToken cancellationToken) =>
        Parse(context, locations, kernel: true, cancellationToken);

    private RuleModel? ParseKernelMethod(MethodDeclarationSyntax method, IMethodSymbol symbol)
    {
        INamedTypeSymbol type = symbol.ContainingType;
        _ruleType = type;
        if (!CheckKernelMethod(method, symbol) | !CheckKernelType(method, type))
        {
            return null;
        }

        EquatableArray<RuleParameter> parameters = ParseKernelParameters(method, symbol);
        if (_diagnostics.Count > 0)
        {
            return null;
        }

        if (method.Body is null)
        {
            Report(DiagnosticDescriptors.UnsupportedSyntax, method.ExpressionBody ?? (SyntaxNode)method, "=>", "write the kernel as a block body");
            return null;
        }

        var body = new List<Stmt>();
        ParseBlock(method.Body.Statements, body);
        return new RuleModel(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            symbol.Name,
            SourceOf(method),
            parameters,
            EquatableArray<HyperparameterModel>.Empty,
            body.ToEquatableArray(),
            SoftwarePipelining: true,
            _helperArguments.ToEquatableArray(),
            IsKernel: true,
            symbol.DeclaredAccessibility switch
            {
                Accessibility.Public => "public",
                Accessibility.Private => "private",
                _ => "internal",
            });
    }

    private bool CheckKernelMethod(MethodDeclarationSyntax method, IMethodSymbol symbol)
    {
        string? problem =
            !symbol.IsStatic ? "it is not static" :
            !symbol.ReturnsVoid ? "it returns a value" :
            symbol.IsGenericMethod ? "it is generic" :
            HasAttribute(symbol, UpdateRuleAttribute) ? "it is also marked [UpdateRule]" :
            null;
        if (problem is null)
        {
            return true;
        }

        Report(DiagnosticDescriptors.InvalidKernelMethod, method.Identifier, symbol.Name, problem);
        return false;
    }

    private bool CheckKernelType(MethodDeclarationSyntax method, INamedTypeSymbol type)
    {
        bool isPartial = type.DeclaringSyntaxReferences.All(reference =>
            reference.GetSyntax(_cancellationToken) is ClassDeclarationSyntax declaration &&
            declaration.Modifiers.Any(SyntaxKind.PartialKeyword));
        string? problem =
            type.TypeKind != TypeKind.Class ? "it is not a class" :
            !type.IsStatic ? "it is not static" :
            !isPartial ? "it is not partial" :
            type.ContainingType is not null ? "it is nested in another type" :
            type.IsGenericType ? "it is generic" :
            null;
        if (problem is null)
        {
            return true;
        }

        Report(DiagnosticDescriptors.InvalidKernelType, method.Parent is TypeDeclarationSyntax declaration ? declaration.Identifier : method.Identifier, type.Name, problem);
        return false;
    }

    /// <summary>
    /// <c>ref float</c>: a span read and written (the first one's length is the loop count);
    /// <c>float</c>: a span read; <c>[Uniform] float</c>, <c>int</c>, <c>bool</c>: one value for all elements.
    /// </summary>
    private EquatableArray<RuleParameter> ParseKernelParameters(MethodDeclarationSyntax method, IMethodSymbol symbol)
    {
        var result = new List<RuleParameter>();
        foreach (IParameterSymbol parameter in symbol.Parameters)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            Location? at = parameter.Locations.FirstOrDefault();
            string? optimizerOnly = HasAttribute(parameter, StepAttribute) ? "Step" : HasAttribute(parameter, TensorStateAttribute) ? "TensorState" : null;
            bool uniform = HasAttribute(parameter, UniformAttribute);
            ValueKind? kind = KindOf(parameter.Type);
            ParameterRole role;
            if (optimizerOnly is not null)
            {
                Report(DiagnosticDescriptors.OptimizerOnlyParameter, at, parameter.Name, optimizerOnly);
                continue;
            }
            else if (kind is null)
            {
                Report(DiagnosticDescriptors.UnsupportedType, at, parameter.Name, parameter.Type.ToDisplayString(), string.Empty);
                continue;
            }
            else if (parameter.RefKind == RefKind.Ref && kind == ValueKind.Float && !uniform)
            {
                role = result.Any(p => p.Role == ParameterRole.Parameter) ? ParameterRole.State : ParameterRole.Parameter;
            }
            else if (parameter.RefKind != RefKind.None)
            {
                Report(DiagnosticDescriptors.InvalidParameter, at, parameter.Name,
                    "a kernel's spans written are 'ref float', its spans read 'float', its uniform values are passed by value");
                continue;
            }
            else
            {
                role = kind == ValueKind.Float && !uniform ? ParameterRole.Input : ParameterRole.Hyperparameter;
            }

            string name = Declare(parameter, parameter.Name);
            _roles[name] = role;
            result.Add(new RuleParameter(name, role, kind.Value, null));
        }

        if (_diagnostics.Count == 0 && !result.Any(p => p.Role == ParameterRole.Parameter))
        {
            Report(DiagnosticDescriptors.KernelWritesNothing, method.Identifier, symbol.Name);
        }

        return result.ToEquatableArray();
    }
}
