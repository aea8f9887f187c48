using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Emission;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator;

/// <summary>
/// Turns every [UpdateRule] method of an [Optimizer] class into fused kernels.
/// Pipeline: parse (syntax + semantics into an equatable model, no symbols kept) → analyze
/// (uniform/varying, validation) → emit (loops per ISA path, dispatch, IR).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenerator : IIncrementalGenerator
{
    /// <summary>The tracking name of the parse step, for caching tests.</summary>
    public const string RulesStep = "Rules";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<RuleParseResult> rules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                RuleSyntaxParser.UpdateRuleAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (syntaxContext, cancellationToken) => Analyze(RuleSyntaxParser.Parse(syntaxContext, cancellationToken)))
            .WithTrackingName(RulesStep);

        context.RegisterSourceOutput(rules, static (output, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Model is not { } rule)
            {
                return;
            }

            string source;
            try
            {
                source = KernelEmitter.Emit(rule);
            }
            catch (Exception exception)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, null, rule.ClassName, exception.GetType().Name + ": " + exception.Message));
                return;
            }

            string hint = (rule.Namespace is null ? "" : rule.Namespace + ".") + rule.ClassName + ".KernelGen.g.cs";
            output.AddSource(hint, source);
        });

        IncrementalValuesProvider<DiagnosticInfo> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                RuleSyntaxParser.OptimizerAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntaxContext, _) => FindMissingRule(syntaxContext))
            .Where(static diagnostic => diagnostic is not null)
            .Select(static (diagnostic, _) => diagnostic!);
        context.RegisterSourceOutput(orphans, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }

    private static RuleParseResult Analyze(RuleParseResult parsed)
    {
        if (parsed.Model is not { } rule)
        {
            return parsed;
        }

        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        var classifier = new Classifier(rule);
        classifier.Validate(rule, diagnostics);
        Reductions.Validate(rule, classifier, diagnostics);
        return diagnostics.Count == 0 ? parsed : new RuleParseResult(null, diagnostics.ToEquatableArray());
    }

    /// <summary>An [Optimizer] class with no [UpdateRule] method would silently get nothing: say so.</summary>
    private static DiagnosticInfo? FindMissingRule(GeneratorAttributeSyntaxContext context)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        bool hasRule = type.GetMembers().OfType<IMethodSymbol>()
            .Any(method => method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == RuleSyntaxParser.UpdateRuleAttribute));
        return hasRule
            ? null
            : new DiagnosticInfo(DiagnosticDescriptors.RuleCount, LocationInfo.From(((ClassDeclarationSyntax)context.TargetNode).Identifier),
                new[] { type.Name, "no" }.ToEquatableArray());
    }
}
