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
/// Turns every [UpdateRule] method of an [Optimizer] class, and every [Kernel] method of a static
/// class, into fused kernels.
/// Parse (syntax and semantics into an equatable model that keeps no symbols and no locations,
/// validated there, diagnostics beside it) → analyze (classification, reductions, planning,
/// pipelining) → emit (writing only). Diagnostics and sources are separate outputs: a rule that
/// only moved in its file reports its diagnostics at the new place and is not emitted again.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenerator : IIncrementalGenerator
{
    /// <summary>The tracking name of the parse step (model and diagnostics), for caching tests.</summary>
    public const string RulesStep = "Rules";

    /// <summary>The tracking name of the parse step of [Kernel] methods, for caching tests.</summary>
    public const string KernelsStep = "Kernels";

    /// <summary>The tracking name of the location-free models the sources are emitted from, for caching tests.</summary>
    public const string ModelsStep = "Models";

    /// <summary>The tracking name of the models paired with the target, what the sources are written from, for caching tests.</summary>
    public const string TargetedModelsStep = "TargetedModels";

    /// <summary>The tracking name of the target check (intrinsics or Vector&lt;T&gt;), for caching tests.</summary>
    public const string TargetStep = "Target";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<TargetFeatures> target = context.CompilationProvider
            .Select(static (compilation, _) => TargetFeatures.From(compilation))
            .WithTrackingName(TargetStep);
        RegisterRules(context, target, RuleSyntaxParser.UpdateRuleAttribute, RuleSyntaxParser.Parse, RulesStep);
        RegisterRules(context, target, RuleSyntaxParser.KernelAttribute, RuleSyntaxParser.ParseKernel, KernelsStep);
        RegisterMissingRuntime(context, target);

        IncrementalValuesProvider<DiagnosticInfo> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                RuleSyntaxParser.OptimizerAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (syntaxContext, _) => FindMissingRule(syntaxContext))
            .Where(static diagnostic => diagnostic is not null)
            .Select(static (diagnostic, _) => diagnostic!);
        context.RegisterSourceOutput(orphans, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }

    /// <summary>Diagnostics and sources of the methods marked <paramref name="attribute"/> ([UpdateRule] or [Kernel]): the same passes from the parsed model on.</summary>
    private static void RegisterRules(IncrementalGeneratorInitializationContext context, IncrementalValueProvider<TargetFeatures> target, string attribute,
        Func<GeneratorAttributeSyntaxContext, SourceLocations, System.Threading.CancellationToken, RuleParseResult> parse, string trackingName)
    {
        IncrementalValuesProvider<RuleParseResult> rules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (syntaxContext, cancellationToken) => ParseAndValidate(syntaxContext, parse, cancellationToken))
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(rules.Select(static (result, _) => result.Diagnostics), static (output, diagnostics) =>
        {
            foreach (DiagnosticInfo diagnostic in diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<RuleModel> models = rules
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(ModelsStep);

        // Each model with what the target framework gives: the same rule is written apart for .NET 8,
        // for .NET 9 on, and for .NET Standard.
        context.RegisterSourceOutput(models.Combine(target).WithTrackingName(TargetedModelsStep), static (output, pair) =>
        {
            (RuleModel rule, TargetFeatures features) = pair;
            string source;
            try
            {
                source = KernelEmitter.Emit(KernelAnalysis.Analyze(rule), features);
            }
            catch (Exception exception)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, null, rule.ClassName, exception.GetType().Name + ": " + exception.Message));
                return;
            }

            // A class may declare several kernels: each gets its own file.
            string hint = (rule.Namespace is null ? "" : rule.Namespace + ".") + rule.ClassName + (rule.IsKernel ? "." + rule.MethodName : "") + ".KernelGen.g.cs";
            output.AddSource(hint, source);
        });
    }

    /// <summary>
    /// KernelGen's attributes in a compilation that does not reference the runtime (the generator
    /// alone, say an analyzer DLL copied without KernelGen.dll): the compiler only says it cannot
    /// find them, so say what is missing, at each one. Attributes that resolve are someone else's.
    /// </summary>
    private static void RegisterMissingRuntime(IncrementalGeneratorInitializationContext context, IncrementalValueProvider<TargetFeatures> target)
    {
        IncrementalValuesProvider<LocationInfo> unresolved = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is AttributeSyntax attribute && KernelGenAttributeNames.Contains(RightmostName(attribute.Name)),
                static (syntaxContext, cancellationToken) =>
                    syntaxContext.SemanticModel.GetSymbolInfo(syntaxContext.Node, cancellationToken).Symbol is null ? LocationInfo.From(syntaxContext.Node) : null)
            .Where(static location => location is not null)
            .Select(static (location, _) => location!);
        context.RegisterSourceOutput(unresolved.Combine(target), static (output, pair) =>
        {
            if (!pair.Right.HasRuntime)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RuntimeNotReferenced, pair.Left.ToLocation()));
            }
        });
    }

    private static readonly HashSet<string> KernelGenAttributeNames = new(StringComparer.Ordinal)
    {
        "Optimizer", "OptimizerAttribute", "UpdateRule", "UpdateRuleAttribute", "Kernel", "KernelAttribute",
    };

    private static string RightmostName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => "",
    };

    /// <summary>
    /// Parses a rule and checks what the analysis forbids, while the locations of its statements
    /// are at hand; the model that leaves this step has none, only the diagnostics do.
    /// </summary>
    private static RuleParseResult ParseAndValidate(GeneratorAttributeSyntaxContext context,
        Func<GeneratorAttributeSyntaxContext, SourceLocations, System.Threading.CancellationToken, RuleParseResult> parse, System.Threading.CancellationToken cancellationToken)
    {
        var locations = new SourceLocations();
        RuleParseResult parsed = parse(context, locations, cancellationToken);
        if (parsed.Model is not { } rule)
        {
            return parsed;
        }

        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        var classifier = new Classifier(rule);
        classifier.Validate(rule, locations, diagnostics);
        Reductions.Validate(rule, classifier, locations, diagnostics);
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
