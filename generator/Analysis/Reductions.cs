using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Language;

namespace KernelGen.Generator.Analysis;

/// <summary>A per-tensor reduction of a rule: its operand is a varying local, its result a uniform name.</summary>
internal sealed record ReductionInfo(int Index, bool IsNorm, string OperandLocal, string ResultName, string SumField);

/// <summary>
/// Per-tensor reductions (<c>KernelMath.SumOfSquares</c>, <c>KernelMath.Norm</c>). A rule with
/// reductions runs in two passes: a reducing pass that evaluates the rule on every element,
/// writes nothing and sums the operands in the canonical order; then the update pass with the
/// results known. So an operand must not depend on any reduction's result (that would need a
/// third pass), and a reduction is taken for every element (not under a condition).
/// The rewrite gives each operand a varying local, computed just before its statement, and puts
/// a uniform name in the reduction's place: the rest of the pipeline sees an ordinary rule.
/// </summary>
internal static class Reductions
{
    public static bool Has(RuleModel rule) => rule.Body.Any(ContainsReduction);

    public static void Validate(RuleModel rule, Classifier classifier, List<DiagnosticInfo> diagnostics)
    {
        // Walked in order: what an operand or a condition reads must not have been computed from a
        // reduction's result before it (assigning from one afterwards is the point of a reduction).
        var dependent = new HashSet<string>();
        int last = -1;
        for (int i = 0; i < rule.Body.Count; i++)
        {
            if (ContainsReduction(rule.Body[i]))
            {
                last = i;
            }
        }

        for (int i = 0; i < rule.Body.Count; i++)
        {
            Stmt statement = rule.Body[i];
            if (statement is IfStmt ifStatement)
            {
                foreach (Stmt inner in Flatten(ifStatement.Then.Concat(ifStatement.Else)))
                {
                    foreach (CallExpr call in ReductionCalls(inner))
                    {
                        Report(diagnostics, call, "it is under a condition; a reduction sums every element, so take it before the if");
                    }
                }

                if (i < last && (HasReduction(ifStatement.Condition) || Names(ifStatement.Condition).Any(dependent.Contains)))
                {
                    Report(diagnostics, ifStatement.Location, ifStatement.Source, "a condition before the last reduction depends on a reduction's result (that would need a third pass)");
                }
            }

            foreach (CallExpr call in ReductionCalls(statement))
            {
                Expr operand = call.Arguments[0];
                if (HasReduction(operand) || Names(operand).Any(dependent.Contains))
                {
                    Report(diagnostics, call, "its operand depends on another reduction's result (that would need a third pass)");
                }
                else if (!classifier.IsVarying(operand))
                {
                    Report(diagnostics, call, "its operand is the same for every element; reduce a value that varies per element");
                }
            }

            foreach (Stmt assignment in Flatten(new[] { statement }))
            {
                (string? target, Expr? value) = assignment switch
                {
                    LocalStmt local => (local.Name, local.Initializer),
                    AssignStmt assign => (assign.Name, assign.Value),
                    _ => ((string?)null, (Expr?)null),
                };
                if (target is not null && value is not null && (HasReduction(value) || Names(value).Any(dependent.Contains)))
                {
                    dependent.Add(target);
                }
            }
        }
    }

    /// <summary>Replaces each reduction by a uniform name, its operand computed into a local just before.</summary>
    public static (RuleModel Rule, List<ReductionInfo> Reductions) Rewrite(RuleModel rule, NameScope names)
    {
        var reductions = new List<ReductionInfo>();
        var body = new List<Stmt>();
        foreach (Stmt statement in rule.Body)
        {
            var operands = new List<Stmt>();
            Expr Replace(Expr expression)
            {
                switch (expression)
                {
                    case CallExpr call when RuleFunctions.IsReduction(call.Function):
                        int index = reductions.Count;
                        bool isNorm = call.Function == RuleFunction.Norm;
                        string operand = names.Fresh("reduced" + index);
                        string result = names.Fresh((isNorm ? "norm" : "sumOfSquares") + index);
                        reductions.Add(new ReductionInfo(index, isNorm, operand, result, "Sum" + index));
                        operands.Add(new LocalStmt(operand, ValueKind.Float, call.Arguments[0], $"the operand of reduction {index}", call.Location));
                        return new NameExpr(result, ValueKind.Float);
                    default:
                        return ExprTree.MapChildren(expression, Replace);
                }
            }

            Stmt rewritten = statement switch
            {
                LocalStmt { Initializer: { } init } local => local with { Initializer = Replace(init) },
                AssignStmt assign => assign with { Value = Replace(assign.Value) },
                IfStmt ifStatement => ifStatement with { Condition = Replace(ifStatement.Condition) },
                _ => statement,
            };
            body.AddRange(operands);
            body.Add(rewritten);
        }

        return (rule with { Body = body.ToEquatableArray() }, reductions);
    }

    private static void Report(List<DiagnosticInfo> diagnostics, CallExpr call, string why) =>
        Report(diagnostics, call.Location, RuleFunctions.Of(call.Function).CSharpName, why);

    private static void Report(List<DiagnosticInfo> diagnostics, LocationInfo? location, string what, string why) =>
        diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UnsupportedReduction, location, new[] { what, why }.ToEquatableArray()));

    private static bool ContainsReduction(Stmt statement) => ReductionCalls(statement).Any();

    private static IEnumerable<CallExpr> ReductionCalls(Stmt statement) => statement switch
    {
        LocalStmt { Initializer: { } init } => ReductionCalls(init),
        AssignStmt assign => ReductionCalls(assign.Value),
        IfStmt ifStatement => ReductionCalls(ifStatement.Condition)
            .Concat(ifStatement.Then.SelectMany(ReductionCalls)).Concat(ifStatement.Else.SelectMany(ReductionCalls)),
        _ => Enumerable.Empty<CallExpr>(),
    };

    private static IEnumerable<CallExpr> ReductionCalls(Expr expression) => expression switch
    {
        CallExpr call when RuleFunctions.IsReduction(call.Function) => new[] { call }.Concat(call.Arguments.SelectMany(ReductionCalls)),
        CallExpr call => call.Arguments.SelectMany(ReductionCalls),
        UnaryExpr unary => ReductionCalls(unary.Operand),
        BinaryExpr binary => ReductionCalls(binary.Left).Concat(ReductionCalls(binary.Right)),
        ConditionalExpr conditional => ReductionCalls(conditional.Condition).Concat(ReductionCalls(conditional.WhenTrue)).Concat(ReductionCalls(conditional.WhenFalse)),
        _ => Enumerable.Empty<CallExpr>(),
    };

    private static bool HasReduction(Expr expression) => ReductionCalls(expression).Any();

    private static IEnumerable<Stmt> Flatten(IEnumerable<Stmt> statements) =>
        statements.SelectMany(statement => statement is IfStmt ifStatement
            ? new[] { statement }.Concat(Flatten(ifStatement.Then)).Concat(Flatten(ifStatement.Else))
            : new[] { statement });

    private static IEnumerable<string> Names(Expr expression) => expression switch
    {
        NameExpr name => new[] { name.Name },
        UnaryExpr unary => Names(unary.Operand),
        BinaryExpr binary => Names(binary.Left).Concat(Names(binary.Right)),
        ConditionalExpr conditional => Names(conditional.Condition).Concat(Names(conditional.WhenTrue)).Concat(Names(conditional.WhenFalse)),
        CallExpr call => call.Arguments.SelectMany(Names),
        _ => Enumerable.Empty<string>(),
    };
}
