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

    /// <summary>
    /// Whether the kernels get the portable form (Vector&lt;T&gt; and scalar loops, flags read from
    /// instances): the compilation has no System.Runtime.Intrinsics with Vector512 (.NET Standard
    /// 2.1, Unity, Mono, .NET before 8), or the KernelGen it references is the .NET Standard build,
    /// whose flags have no static abstract member. Decided from the compilation, not from a define.
    /// </summary>
    internal static bool IsPortableTarget(Compilation compilation)
    {
        if (compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector512`1") is null)
        {
            return true;
        }

        INamedTypeSymbol? flag = compilation.GetTypeByMetadataName("KernelGen.Internal.IFlag");
        return flag?.GetMembers("Value").FirstOrDefault() is { IsStatic: false };
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<bool> portable = context.CompilationProvider
            .Select(static (compilation, _) => IsPortableTarget(compilation))
            .WithTrackingName(TargetStep);
        RegisterRules(context, RuleSyntaxParser.UpdateRuleAttribute, RuleSyntaxParser.Parse, RulesStep, portable);
        RegisterRules(context, RuleSyntaxParser.KernelAttribute, RuleSyntaxParser.ParseKernel, KernelsStep, portable);

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
    private static void RegisterRules(IncrementalGeneratorInitializationContext context, string attribute,
        Func<GeneratorAttributeSyntaxContext, SourceLocations, System.Threading.CancellationToken, RuleParseResult> parse, string trackingName,
        IncrementalValueProvider<bool> portable)
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
        context.RegisterSourceOutput(models.Combine(portable).WithTrackingName(TargetedModelsStep), static (output, target) =>
        {
            (RuleModel rule, bool portable) = target;
            string source;
            try
            {
                source = KernelEmitter.Emit(KernelAnalysis.Analyze(rule), portable);
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
