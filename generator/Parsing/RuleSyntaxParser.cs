using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Language;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing;

/// <summary>
/// Reads an [UpdateRule] method's C# (syntax and semantic model) into a <see cref="RuleModel"/>, or
/// into diagnostics that point at the exact construct the language does not allow.
/// </summary>
internal sealed partial class RuleSyntaxParser
{
    internal const string OptimizerAttribute = "KernelGen.OptimizerAttribute";
    internal const string UpdateRuleAttribute = "KernelGen.UpdateRuleAttribute";
    private const string HyperparameterAttribute = "KernelGen.HyperparameterAttribute";
    private const string StepAttribute = "KernelGen.StepAttribute";
    private const string TensorStateAttribute = "KernelGen.TensorStateAttribute";

    private SemanticModel _semanticModel;
    private readonly SourceLocations _locations;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly Dictionary<ISymbol, string> _names = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParameterRole> _roles = new(StringComparer.Ordinal);
    private bool _hasErrorTypes;

    // Helper methods being inlined: the statements a call's helper body becomes go before the
    // statement that makes the call; a helper's parameters read their arguments.
    private INamedTypeSymbol? _ruleType;
    private List<Stmt>? _statementsBefore;
    private readonly Dictionary<ISymbol, Expr> _arguments = new(SymbolEqualityComparer.Default);
    private readonly List<IMethodSymbol> _inlining = new();
    private readonly List<HelperArgument> _helperArguments = new();

    private RuleSyntaxParser(SemanticModel semanticModel, SourceLocations locations, CancellationToken cancellationToken)
    {
        _semanticModel = semanticModel;
        _locations = locations;
        _cancellationToken = cancellationToken;
    }

    /// <param name="locations">Receives where each statement and call of the model was written (in a helper's body for what a helper inlines).</param>
    public static RuleParseResult Parse(GeneratorAttributeSyntaxContext context, SourceLocations locations, CancellationToken cancellationToken) =>
        Parse(context, locations, kernel: false, cancellationToken);

    private static RuleParseResult Parse(GeneratorAttributeSyntaxContext context, SourceLocations locations, bool kernel, CancellationToken cancellationToken)
    {
        var method = (MethodDeclarationSyntax)context.TargetNode;
        var symbol = (IMethodSymbol)context.TargetSymbol;
        var parser = new RuleSyntaxParser(context.SemanticModel, locations, cancellationToken) { _kernel = kernel };
        RuleModel? model;
        try
        {
            model = kernel ? parser.ParseKernelMethod(method, symbol) : parser.ParseRule(method, symbol);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The generator must never throw: an unforeseen shape becomes a diagnostic.
            parser.Report(DiagnosticDescriptors.InternalError, method.Identifier, symbol.Name, exception.GetType().Name + ": " + exception.Message);
            model = null;
        }

        bool failed = parser._diagnostics.Count > 0 || parser._hasErrorTypes;
        return new RuleParseResult(failed ? null : model, parser._diagnostics.ToEquatableArray());
    }

    private RuleModel? ParseRule(MethodDeclarationSyntax method, IMethodSymbol symbol)
    {
        INamedTypeSymbol type = symbol.ContainingType;
        _ruleType = type;
        if (!CheckMethod(method, symbol) | !CheckType(method, type))
        {
            return null;
        }

        EquatableArray<HyperparameterModel> hyperparameters = ParseHyperparameters(type);
        EquatableArray<RuleParameter> parameters = ParseParameters(method, symbol, hyperparameters);
        if (_diagnostics.Count > 0)
        {
            return null;
        }

        var body = new List<Stmt>();
        if (method.Body is null)
        {
            Report(DiagnosticDescriptors.UnsupportedSyntax, method.ExpressionBody ?? (SyntaxNode)method, "=>", "write the rule as a block body");
            return null;
        }

        ParseBlock(method.Body.Statements, body);
        return new RuleModel(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            symbol.Name,
            SourceOf(method),
            parameters,
            hyperparameters,
            body.ToEquatableArray(),
            SoftwarePipeliningOf(symbol),
            _helperArguments.ToEquatableArray());
    }

    /// <summary>The rule attribute's <c>SoftwarePipelining</c> (true unless it says false).</summary>
    private static bool SoftwarePipeliningOf(IMethodSymbol symbol) =>
        symbol.GetAttributes()
            .First(a => a.AttributeClass?.ToDisplayString() == UpdateRuleAttribute)
            .NamedArguments.FirstOrDefault(a => a.Key == "SoftwarePipelining").Value.Value is not false;

    private bool CheckMethod(MethodDeclarationSyntax method, IMethodSymbol symbol)
    {
        string? problem =
            !symbol.IsStatic ? "it is not static" :
            !symbol.ReturnsVoid ? "it returns a value" :
            symbol.IsGenericMethod ? "it is generic" :
            null;
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.InvalidRuleMethod, method.Identifier, symbol.Name, problem);
            return false;
        }

        int rules = symbol.ContainingType.GetMembers().OfType<IMethodSymbol>().Count(m => HasAttribute(m, UpdateRuleAttribute));
        if (rules != 1)
        {
            Report(DiagnosticDescriptors.RuleCount, method.Identifier, symbol.ContainingType.Name, rules.ToString(CultureInfo.InvariantCulture));
            return false;
        }

        return true;
    }

    private bool CheckType(MethodDeclarationSyntax method, INamedTypeSymbol type)
    {
        bool isPartial = type.DeclaringSyntaxReferences.All(reference =>
            reference.GetSyntax(_cancellationToken) is ClassDeclarationSyntax declaration &&
            declaration.Modifiers.Any(SyntaxKind.PartialKeyword));
        string? problem =
            type.TypeKind != TypeKind.Class ? "it is not a class" :
            !HasAttribute(type, OptimizerAttribute) ? "it is not marked [Optimizer]" :
            !isPartial ? "it is not partial" :
            type.ContainingType is not null ? "it is nested in another type" :
            type.IsGenericType ? "it is generic" :
            type.IsStatic ? "it is static" :
            type.BaseType is { SpecialType: not SpecialType.System_Object } ? "it declares the base class '" + type.BaseType.Name + "' (the generator makes it derive from KernelGen.Optimizer)" :
            IsGeneratedMemberName(type.Name) ? "its name is taken by a generated member (" + type.Name + ")" :
            null;
        if (problem is not null)
        {
            SyntaxNode at = method.Parent is TypeDeclarationSyntax declaration ? declaration : method;
            Report(DiagnosticDescriptors.InvalidOptimizerType, at is TypeDeclarationSyntax t ? t.Identifier : method.Identifier, type.Name, problem);
            return false;
        }

        return true;
    }

    /// <summary>Members the generator adds to the class; a class cannot share a member's name (CS0542).</summary>
    private static bool IsGeneratedMemberName(string name) =>
        name is "Apply" or "ApplyWithRule" or "Rule" or "RuleIr" or "Prepare" or "Dispatch" or "Run" or "KernelArguments"
            or "Loop512" or "Loop256" or "Loop128" or "LoopScalar" or "StepTensors" or "StepTensorWithRule" or "HyperparameterNames"
        || (name.StartsWith("Unswitch", StringComparison.Ordinal) && name.Length > "Unswitch".Length && name.Substring("Unswitch".Length).All(char.IsDigit));

    private EquatableArray<HyperparameterModel> ParseHyperparameters(INamedTypeSymbol type)
    {
        var result = new List<HyperparameterModel>();
        foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
        {
            AttributeData? attribute = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == HyperparameterAttribute);
            if (attribute is null)
            {
                continue;
            }

            ValueKind? kind = KindOf(property.Type);
            if (kind is null || property.SetMethod is null || property.GetMethod is null || property.IsStatic)
            {
                Report(DiagnosticDescriptors.UnsupportedType, property.Locations.FirstOrDefault(), property.Name, property.Type.ToDisplayString(),
                    ": a [Hyperparameter] is an instance property of type float, int or bool with get and set");
                continue;
            }

            var aliases = attribute.ConstructorArguments
                .SelectMany(argument => argument.Kind == TypedConstantKind.Array ? argument.Values : ImmutableArray.Create(argument))
                .Select(value => value.Value as string)
                .Where(alias => !string.IsNullOrEmpty(alias))
                .Select(alias => alias!);
            string? Bound(string name) => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value is double bound
                ? bound.ToString("R", CultureInfo.InvariantCulture)
                : null;
            bool exclusive = attribute.NamedArguments.Any(a => a.Key == "MaximumIsExclusive" && a.Value.Value is true);
            result.Add(new HyperparameterModel(property.Name, kind.Value, aliases.ToEquatableArray(), Bound("Minimum"), Bound("Maximum"), exclusive));
        }

        return result.ToEquatableArray();
    }

    private EquatableArray<RuleParameter> ParseParameters(MethodDeclarationSyntax method, IMethodSymbol symbol, EquatableArray<HyperparameterModel> hyperparameters)
    {
        var result = new List<RuleParameter>();
        foreach (IParameterSymbol parameter in symbol.Parameters)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            Location? at = parameter.Locations.FirstOrDefault();
            bool isStep = HasAttribute(parameter, StepAttribute);
            bool isTensorState = HasAttribute(parameter, TensorStateAttribute);
            ValueKind? kind = KindOf(parameter.Type);
            ParameterRole role;
            string? property = null;

            if (isStep)
            {
                if (parameter.RefKind != RefKind.None || kind != ValueKind.Int)
                {
                    Report(DiagnosticDescriptors.InvalidParameter, at, parameter.Name, "[Step] marks an int passed by value");
                    continue;
                }

                role = ParameterRole.Step;
            }
            else if (parameter.RefKind == RefKind.Ref)
            {
                if (kind != ValueKind.Float)
                {
                    Report(DiagnosticDescriptors.InvalidParameter, at, parameter.Name, "the parameter and state buffers are 'ref float'");
                    continue;
                }

                role = isTensorState ? ParameterRole.TensorState
                    : result.Any(p => p.Role == ParameterRole.Parameter) ? ParameterRole.State
                    : ParameterRole.Parameter;
            }
            else if (parameter.RefKind != RefKind.None)
            {
                Report(DiagnosticDescriptors.InvalidParameter, at, parameter.Name, "state is passed as 'ref float', the gradient and hyper-parameters by value");
                continue;
            }
            else if (isTensorState)
            {
                Report(DiagnosticDescriptors.InvalidParameter, at, parameter.Name, "[TensorState] marks a 'ref float'");
                continue;
            }
            else if (kind is null)
            {
                Report(DiagnosticDescriptors.UnsupportedType, at, parameter.Name, parameter.Type.ToDisplayString(), string.Empty);
                continue;
            }
            else
            {
                HyperparameterModel? match = hyperparameters.FirstOrDefault(h => string.Equals(h.PropertyName, parameter.Name, StringComparison.OrdinalIgnoreCase));
                if (match is not null)
                {
                    if (match.Kind != kind)
                    {
                        Report(DiagnosticDescriptors.UnmatchedHyperparameter, at, parameter.Name,
                            $"has type {Keyword(kind.Value)} but the hyper-parameter '{match.PropertyName}' is {Keyword(match.Kind)}");
                        continue;
                    }

                    role = ParameterRole.Hyperparameter;
                    property = match.PropertyName;
                }
                else if (kind == ValueKind.Float)
                {
                    role = ParameterRole.Gradient;
                }
                else
                {
                    Report(DiagnosticDescriptors.UnmatchedHyperparameter, at, parameter.Name,
                        "matches no [Hyperparameter] property (name a property after it, or mark the step count [Step])");
                    continue;
                }
            }

            if (role is ParameterRole.Gradient or ParameterRole.Step && result.Any(p => p.Role == role))
            {
                Report(DiagnosticDescriptors.DuplicateRole, at, parameter.Name,
                    role == ParameterRole.Step ? "[Step] parameter" : "gradient (a float that matches no [Hyperparameter] property)");
                continue;
            }

            string name = Declare(parameter, parameter.Name);
            _roles[name] = role;
            result.Add(new RuleParameter(name, role, kind!.Value, property));
        }

        if (_diagnostics.Count == 0)
        {
            if (!result.Any(p => p.Role == ParameterRole.Parameter))
            {
                Report(DiagnosticDescriptors.MissingRole, method.Identifier, symbol.Name, "parameter to update (a 'ref float')");
            }
            else if (!result.Any(p => p.Role == ParameterRole.Gradient))
            {
                Report(DiagnosticDescriptors.MissingRole, method.Identifier, symbol.Name, "gradient (a float that matches no [Hyperparameter] property)");
            }
        }

        return result.ToEquatableArray();
    }

    private void ParseBlock(SyntaxList<StatementSyntax> statements, List<Stmt> into)
    {
        foreach (StatementSyntax statement in statements)
        {
            ParseStatement(statement, into);
        }
    }

    private void ParseStatement(StatementSyntax statement, List<Stmt> into)
    {
        List<Stmt>? outer = _statementsBefore;
        _statementsBefore = into;
        ParseStatementInto(statement, into);
        _statementsBefore = outer;
    }

    private void ParseStatementInto(StatementSyntax statement, List<Stmt> into)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (statement)
        {
            case BlockSyntax block:
                ParseBlock(block.Statements, into);
                break;

            case EmptyStatementSyntax:
                break;

            case LocalDeclarationStatementSyntax { IsConst: true }:
                // Its uses are folded to the constant, as C# folds them.
                break;

            case LocalDeclarationStatementSyntax { Declaration.Type: RefTypeSyntax } declaration:
                Report(DiagnosticDescriptors.UnsupportedSyntax, declaration, FirstLine(declaration), "ref locals are not supported: assign the value itself");
                break;

            case LocalDeclarationStatementSyntax declaration when declaration.Modifiers.Count == 0:
                foreach (VariableDeclaratorSyntax variable in declaration.Declaration.Variables)
                {
                    if (_semanticModel.GetDeclaredSymbol(variable, _cancellationToken) is not ILocalSymbol local)
                    {
                        _hasErrorTypes = true;
                        continue;
                    }

                    ValueKind? kind = KindOf(local.Type);
                    if (kind is null)
                    {
                        ReportType(variable.Identifier, local.Name, local.Type);
                        continue;
                    }

                    Expr? initializer = variable.Initializer is null ? null : ParseExpression(variable.Initializer.Value);
                    into.Add(_locations.Add(new LocalStmt(Declare(local, local.Name), kind.Value, initializer, SourceOf(declaration)), LocationInfo.From(variable)));
                }

                break;

            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                ParseAssignment(assignment, into);
                break;

            case IfStatementSyntax ifStatement:
            {
                Expr condition = ParseExpression(ifStatement.Condition);
                var then = new List<Stmt>();
                var otherwise = new List<Stmt>();
                ParseStatement(ifStatement.Statement, then);
                if (ifStatement.Else is not null)
                {
                    ParseStatement(ifStatement.Else.Statement, otherwise);
                }

                into.Add(_locations.Add(new IfStmt(condition, then.ToEquatableArray(), otherwise.ToEquatableArray(), "if (" + ifStatement.Condition + ")"),
                    LocationInfo.From(ifStatement)));
                break;
            }

            case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                Report(DiagnosticDescriptors.LoopNotAllowed, statement.GetFirstToken(), statement.GetFirstToken().Text);
                break;

            default:
                Report(DiagnosticDescriptors.UnsupportedSyntax, statement, FirstLine(statement),
                    "a rule is made of local declarations, assignments and if statements");
                break;
        }
    }

    private void ParseAssignment(AssignmentExpressionSyntax assignment, List<Stmt> into)
    {
        if (assignment.Left is not IdentifierNameSyntax target ||
            _semanticModel.GetSymbolInfo(target, _cancellationToken).Symbol is not { } symbol ||
            !_names.TryGetValue(symbol, out string? name))
        {
            Report(DiagnosticDescriptors.UnsupportedSyntax, assignment.Left, assignment.Left.ToString(), "only locals, the parameter and state can be assigned");
            return;
        }

        if (_roles.TryGetValue(name, out ParameterRole role))
        {
            switch (role)
            {
                case ParameterRole.Gradient:
                    Report(DiagnosticDescriptors.GradientWritten, target, name);
                    return;
                case ParameterRole.Hyperparameter:
                case ParameterRole.Step:
                case ParameterRole.Input:
                    Report(DiagnosticDescriptors.ReadOnlyAssigned, target, name, role switch
                    {
                        ParameterRole.Step => "step count",
                        ParameterRole.Input => "read-only span",
                        _ => _kernel ? "uniform argument" : "hyper-parameter",
                    });
                    return;
            }
        }

        Expr value = ParseExpression(assignment.Right);
        BinaryOp? compound = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => null,
            SyntaxKind.AddAssignmentExpression => BinaryOp.Add,
            SyntaxKind.SubtractAssignmentExpression => BinaryOp.Subtract,
            SyntaxKind.MultiplyAssignmentExpression => BinaryOp.Multiply,
            SyntaxKind.DivideAssignmentExpression => BinaryOp.Divide,
            _ => (BinaryOp?)(BinaryOp)(-1),
        };
        if (compound is (BinaryOp)(-1))
        {
            Report(DiagnosticDescriptors.UnsupportedSyntax, assignment, assignment.OperatorToken.Text, "use =, +=, -=, *= or /=");
            return;
        }

        ValueKind kind = KindOf(((ILocalSymbol?)(symbol as ILocalSymbol))?.Type ?? ((IParameterSymbol)symbol).Type) ?? ValueKind.Float;
        if (compound is { } op)
        {
            // x op= e means x = (T)(x op e): the right side is converted to x's type first when C# would.
            value = new BinaryExpr(op, new NameExpr(name, kind), value, kind);
        }

        into.Add(_locations.Add(new AssignStmt(name, value, SourceOf(assignment.Parent!)), LocationInfo.From(assignment)));
    }

    private Expr ParseExpression(ExpressionSyntax syntax)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (syntax is ParenthesizedExpressionSyntax parenthesized)
        {
            // Roslyn reports a conversion on the parentheses and again on what they hold: take it once.
            return ParseExpression(parenthesized.Expression);
        }

        TypeInfo typeInfo = _semanticModel.GetTypeInfo(syntax, _cancellationToken);
        ITypeSymbol? converted = typeInfo.ConvertedType ?? typeInfo.Type;
        if (converted is null || converted.TypeKind == TypeKind.Error)
        {
            _hasErrorTypes = true;
            return new LiteralExpr(ValueKind.Float, "0");
        }

        ValueKind? convertedKind = KindOf(converted);
        if (convertedKind is null)
        {
            ReportType(syntax, syntax.ToString(), converted);
            return new LiteralExpr(ValueKind.Float, "0");
        }

        // Constants are folded exactly as the C# compiler folds them in the rule itself.
        Optional<object?> constant = _semanticModel.GetConstantValue(syntax, _cancellationToken);
        if (constant.HasValue && constant.Value is not null)
        {
            return Literal(constant.Value, convertedKind.Value, syntax);
        }

        ValueKind? ownKind = typeInfo.Type is null ? convertedKind : KindOf(typeInfo.Type);
        if (ownKind is null)
        {
            ReportType(syntax, syntax.ToString(), typeInfo.Type!);
            return new LiteralExpr(ValueKind.Float, "0");
        }

        Expr expression = ParseUnconverted(syntax, ownKind.Value);
        if (ownKind == ValueKind.Int && convertedKind == ValueKind.Float)
        {
            return new UnaryExpr(UnaryOp.ToFloat, expression, ValueKind.Float);
        }

        if (ownKind != convertedKind)
        {
            Report(DiagnosticDescriptors.UnsupportedSyntax, syntax, syntax.ToString(), $"it converts {Keyword(ownKind.Value)} to {Keyword(convertedKind.Value)}");
        }

        return expression;
    }

    private Expr ParseUnconverted(ExpressionSyntax syntax, ValueKind kind)
    {
        switch (syntax)
        {
            case IdentifierNameSyntax identifier:
            {
                ISymbol? symbol = _semanticModel.GetSymbolInfo(identifier, _cancellationToken).Symbol;
                if (symbol is not null && _names.TryGetValue(symbol, out string? name))
                {
                    return new NameExpr(name, kind);
                }

                if (symbol is not null && _arguments.TryGetValue(symbol, out Expr? argument))
                {
                    return argument;
                }

                Report(DiagnosticDescriptors.UnsupportedSyntax, identifier, identifier.Identifier.Text,
                    "a rule reads its own parameters and locals only (hyper-parameters arrive as parameters)");
                return new LiteralExpr(kind, "0");
            }

            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.UnaryPlusExpression):
                return ParseExpression(prefix.Operand);

            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.UnaryMinusExpression):
                return new UnaryExpr(UnaryOp.Negate, ParseExpression(prefix.Operand), kind);

            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.LogicalNotExpression):
                return new UnaryExpr(UnaryOp.Not, ParseExpression(prefix.Operand), kind);

            case BinaryExpressionSyntax binary:
                return ParseBinary(binary, kind);

            case ConditionalExpressionSyntax conditional:
                return new ConditionalExpr(ParseExpression(conditional.Condition), ParseExpression(conditional.WhenTrue), ParseExpression(conditional.WhenFalse), kind);

            case CastExpressionSyntax cast:
            {
                Expr operand = ParseExpression(cast.Expression);
                if (kind == ValueKind.Float && operand.Kind == ValueKind.Int)
                {
                    return new UnaryExpr(UnaryOp.ToFloat, operand, ValueKind.Float);
                }

                if (kind == operand.Kind)
                {
                    return operand;
                }

                Report(DiagnosticDescriptors.UnsupportedSyntax, cast, cast.ToString(), "the only conversion is int to float");
                return operand;
            }

            case InvocationExpressionSyntax invocation:
                return ParseCall(invocation);

            default:
                Report(DiagnosticDescriptors.UnsupportedSyntax, syntax, syntax.ToString(),
                    "expressions are made of +, -, *, /, comparisons, &&, ||, !, ?:, casts to float and MathF calls");
                return new LiteralExpr(kind, "0");
        }
    }

    private Expr ParseBinary(BinaryExpressionSyntax binary, ValueKind kind)
    {
        BinaryOp? op = binary.Kind() switch
        {
            SyntaxKind.AddExpression => BinaryOp.Add,
            SyntaxKind.SubtractExpression => BinaryOp.Subtract,
            SyntaxKind.MultiplyExpression => BinaryOp.Multiply,
            SyntaxKind.DivideExpression => BinaryOp.Divide,
            SyntaxKind.LessThanExpression => BinaryOp.LessThan,
            SyntaxKind.LessThanOrEqualExpression => BinaryOp.LessThanOrEqual,
            SyntaxKind.GreaterThanExpression => BinaryOp.GreaterThan,
            SyntaxKind.GreaterThanOrEqualExpression => BinaryOp.GreaterThanOrEqual,
            SyntaxKind.EqualsExpression => BinaryOp.Equal,
            SyntaxKind.NotEqualsExpression => BinaryOp.NotEqual,
            SyntaxKind.LogicalAndExpression or SyntaxKind.BitwiseAndExpression when kind == ValueKind.Bool => BinaryOp.And,
            SyntaxKind.LogicalOrExpression or SyntaxKind.BitwiseOrExpression when kind == ValueKind.Bool => BinaryOp.Or,
            _ => null,
        };
        if (op is null)
        {
            Report(DiagnosticDescriptors.UnsupportedSyntax, binary.OperatorToken, binary.OperatorToken.Text,
                "the operators are + - * / < <= > >= == != && || and !");
            return new LiteralExpr(kind, "0");
        }

        Expr left = ParseExpression(binary.Left);
        Expr right = ParseExpression(binary.Right);
        return new BinaryExpr(op.Value, left, right, kind);
    }

    private Expr ParseCall(InvocationExpressionSyntax invocation)
    {
        var method = _semanticModel.GetSymbolInfo(invocation, _cancellationToken).Symbol as IMethodSymbol;
        RuleFunctionInfo? function = method is null ? null : FunctionOf(method);
        if (function is null && method is not null && IsHelper(method))
        {
            return InlineHelper(invocation, method);
        }

        if (function is null)
        {
            Report(DiagnosticDescriptors.UnknownCall, invocation.Expression, invocation.Expression.ToString(), RuleFunctions.CSharpList());
            return new LiteralExpr(ValueKind.Float, "0");
        }

        var arguments = invocation.ArgumentList.Arguments.Select(argument => ParseExpression(argument.Expression)).ToEquatableArray();
        return _locations.Add(new CallExpr(function.Function, arguments), LocationInfo.From(invocation));
    }

    /// <summary>
    /// Whether a call names a helper method: one of the rule's own class or of a static class
    /// (not one of the classes that declare the catalog's functions: their other methods are
    /// simply not in the language).
    /// </summary>
    private bool IsHelper(IMethodSymbol method)
    {
        string type = method.ContainingType.ToDisplayString();
        return method.MethodKind == MethodKind.Ordinary &&
               type is not (RuleFunctions.MathFType or RuleFunctions.MathType or RuleFunctions.KernelMathType) &&
               (SymbolEqualityComparer.Default.Equals(method.ContainingType, _ruleType) || method.ContainingType.IsStatic);
    }

    /// <summary>
    /// Inlines a call of a helper method: its statements go before the statement that calls it,
    /// with fresh names for its locals, and the call becomes its returned expression. A parameter
    /// reads its argument in place when that reads the same value (a name, a literal, or any
    /// expression the body reads once); otherwise it becomes a local holding the argument.
    /// </summary>
    private Expr InlineHelper(InvocationExpressionSyntax invocation, IMethodSymbol method)
    {
        var zero = new LiteralExpr(KindOf(method.ReturnType) ?? ValueKind.Float, "0");
        var declaration = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(d => d.Body is not null || d.ExpressionBody is not null);
        string? problem =
            _inlining.Contains(method.OriginalDefinition, SymbolEqualityComparer.Default) ? "it calls itself, directly or through another helper" :
            !method.IsStatic ? "it is not static" :
            method.IsGenericMethod ? "it is generic" :
            KindOf(method.ReturnType) is null ? $"it returns '{method.ReturnType.ToDisplayString()}' (a helper returns float, int or bool)" :
            method.Parameters.FirstOrDefault(p => p.RefKind != RefKind.None || KindOf(p.Type) is null) is { } unsupported
                ? $"its parameter '{unsupported.Name}' is not a float, int or bool passed by value" :
            invocation.ArgumentList.Arguments.Count != method.Parameters.Length || invocation.ArgumentList.Arguments.Any(a => a.NameColon is not null)
                ? "pass every argument, in order" :
            declaration is null ? "its body is not in this compilation (a method of a referenced assembly)" :
            null;
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.InvalidHelper, invocation.Expression, method.Name, problem);
            return zero;
        }

        List<Stmt> before = _statementsBefore!;
        var arguments = new List<ISymbol>();
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            ArgumentSyntax argumentSyntax = invocation.ArgumentList.Arguments[i];
            IParameterSymbol parameter = method.Parameters[i];
            Expr argument = ParseExpression(argumentSyntax.Expression);
            _helperArguments.Add(_locations.Add(new HelperArgument(method.Name, argument, argumentSyntax.ToString()), LocationInfo.From(argumentSyntax)));
            (int reads, bool assigned) = UsesOf(parameter, declaration!);
            if (!assigned && (argument is NameExpr or LiteralExpr || reads <= 1))
            {
                _arguments[parameter] = argument;
                arguments.Add(parameter);
            }
            else
            {
                before.Add(_locations.Add(new LocalStmt(Declare(parameter, parameter.Name), KindOf(parameter.Type)!.Value, argument,
                    $"{Keyword(KindOf(parameter.Type)!.Value)} {parameter.Name} = {argumentSyntax};"), LocationInfo.From(argumentSyntax)));
            }
        }

        SemanticModel caller = _semanticModel;
        if (declaration!.SyntaxTree != caller.SyntaxTree)
        {
            _semanticModel = caller.Compilation.GetSemanticModel(declaration.SyntaxTree);
        }

        _inlining.Add(method.OriginalDefinition);
        Expr result = ParseHelperBody(declaration, method) ?? zero;
        _inlining.RemoveAt(_inlining.Count - 1);
        _semanticModel = caller;
        foreach (ISymbol parameter in arguments)
        {
            _arguments.Remove(parameter);
        }

        return result;
    }

    /// <summary>The helper's statements (into the statements before the call) and its returned expression.</summary>
    private Expr? ParseHelperBody(MethodDeclarationSyntax declaration, IMethodSymbol method)
    {
        if (declaration.ExpressionBody is { } expressionBody)
        {
            return ParseExpression(expressionBody.Expression);
        }

        SyntaxList<StatementSyntax> statements = declaration.Body!.Statements;
        if (statements.LastOrDefault() is not ReturnStatementSyntax { Expression: { } returned } last)
        {
            Report(DiagnosticDescriptors.InvalidHelper, declaration.Identifier, method.Name, "it must end with 'return' and a value");
            return null;
        }

        ReturnStatementSyntax? early = declaration.Body.DescendantNodes().OfType<ReturnStatementSyntax>().FirstOrDefault(r => r != last);
        if (early is not null)
        {
            Report(DiagnosticDescriptors.InvalidHelper, early.ReturnKeyword, method.Name, "it may return only at its end");
            return null;
        }

        foreach (StatementSyntax statement in statements.Take(statements.Count - 1))
        {
            ParseStatement(statement, _statementsBefore!);
        }

        return ParseExpression(returned);
    }

    /// <summary>How often a helper's body reads <paramref name="parameter"/>, and whether it assigns it.</summary>
    private (int Reads, bool Assigned) UsesOf(IParameterSymbol parameter, MethodDeclarationSyntax declaration)
    {
        SemanticModel model = _semanticModel.SyntaxTree == declaration.SyntaxTree ? _semanticModel : _semanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree);
        int reads = 0;
        bool assigned = false;
        foreach (IdentifierNameSyntax name in declaration.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, _cancellationToken).Symbol, parameter))
            {
                continue;
            }

            if (name.Parent is AssignmentExpressionSyntax assignment && assignment.Left == name)
            {
                assigned = true;
            }
            else
            {
                reads++;
            }
        }

        return (reads, assigned);
    }

    /// <summary>The catalog's function <paramref name="method"/> is: its float overload, by type, name and arity.</summary>
    private static RuleFunctionInfo? FunctionOf(IMethodSymbol method)
    {
        bool allFloat = method.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Single) &&
                        method.ReturnType.SpecialType == SpecialType.System_Single;
        return allFloat ? RuleFunctions.FromCSharp(method.ContainingType.ToDisplayString(), method.Name, method.Parameters.Length) : null;
    }

    private Expr Literal(object value, ValueKind kind, SyntaxNode at)
    {
        switch (kind)
        {
            case ValueKind.Bool when value is bool b:
                return new LiteralExpr(ValueKind.Bool, b ? "true" : "false");
            case ValueKind.Int when value is int i:
                return new LiteralExpr(ValueKind.Int, i.ToString(CultureInfo.InvariantCulture));
            case ValueKind.Float:
                float f = value switch
                {
                    float single => single,
                    int integer => integer,
                    _ => float.NaN,
                };
                if (value is float or int)
                {
                    return new LiteralExpr(ValueKind.Float, FloatText.Format(f));
                }

                break;
        }

        ReportType(at, at.ToString(), value.GetType().Name);
        return new LiteralExpr(kind, "0");
    }

    private string Declare(ISymbol symbol, string name)
    {
        // Locals in sibling scopes may share a name in C#; the model gives each its own.
        string unique = name;
        for (int i = 1; !_usedNames.Add(unique); i++)
        {
            unique = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        }

        _names[symbol] = unique;
        return unique;
    }

    private static ValueKind? KindOf(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Single => ValueKind.Float,
        SpecialType.System_Int32 => ValueKind.Int,
        SpecialType.System_Boolean => ValueKind.Bool,
        _ => null,
    };

    internal static string Keyword(ValueKind kind) => kind switch
    {
        ValueKind.Float => "float",
        ValueKind.Int => "int",
        _ => "bool",
    };

    private static bool HasAttribute(ISymbol symbol, string attribute) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

    private void ReportType(SyntaxNodeOrToken at, string what, ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Error)
        {
            _hasErrorTypes = true;
            return;
        }

        ReportType(at, what, type.ToDisplayString());
    }

    private void ReportType(SyntaxNodeOrToken at, string what, string type) =>
        Report(DiagnosticDescriptors.UnsupportedType, at.GetLocation(), what, type,
            type is "double" or "Double" ? " (write float literals with an f suffix: 0.5f)" : string.Empty);

    private void Report(DiagnosticDescriptor descriptor, SyntaxNodeOrToken at, params string[] arguments) =>
        Report(descriptor, at.GetLocation(), arguments);

    private void Report(DiagnosticDescriptor descriptor, Location? at, params string[] arguments) =>
        _diagnostics.Add(new DiagnosticInfo(descriptor, LocationInfo.From(at), arguments.ToEquatableArray()));

    private static string FirstLine(SyntaxNode node)
    {
        string text = node.ToString();
        int newline = text.IndexOf('\n');
        return (newline < 0 ? text : text.Substring(0, newline)).TrimEnd();
    }

    private static string SourceOf(SyntaxNode node) => Dedent(node.ToString(), node.GetLocation().GetLineSpan().StartLinePosition.Character);

    /// <summary>Removes the indentation the node had in its file from every line after the first.</summary>
    private static string Dedent(string text, int column)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            int remove = 0;
            while (remove < column && remove < lines[i].Length && lines[i][remove] == ' ')
            {
                remove++;
            }

            lines[i] = lines[i].Substring(remove).TrimEnd();
        }

        return string.Join("\n", lines);
    }
}
