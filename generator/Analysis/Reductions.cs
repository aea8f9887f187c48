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
    /// <summary>
    /// Elements per block of the reducing pass: element i of the whole blocks is summed into lane
    /// i mod 16 on every path, whatever its width, so every path adds in the same order (the
    /// runtime's Reduction.Lanes, which combines the lane sums).
    /// </summary>
    public const int BlockLanes = 16;

    public static bool Has(RuleModel rule) => ReductionCalls(rule.Body).Any();

    public static void Validate(RuleModel rule, Classifier classifier, SourceLocations locations, List<DiagnosticInfo> diagnostics)
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
                foreach (CallExpr call in ReductionCalls(ifStatement.Then.Concat(ifStatement.Else)))
                {
                    Report(diagnostics, locations, call, "it is under a condition; a reduction sums every element, so take it before the if");
                }

                if (i < last && DependsOnReduction(ifStatement.Condition, dependent))
                {
                    Report(diagnostics, locations.Of(ifStatement), ifStatement.Source, "a condition before the last reduction depends on a reduction's result (that would need a third pass)");
                }
            }

            foreach (CallExpr call in ReductionCalls(new[] { statement }))
            {
                Expr operand = call.Arguments[0];
                if (DependsOnReduction(operand, dependent))
                {
                    Report(diagnostics, locations, call, "its operand depends on another reduction's result (that would need a third pass)");
                }
                else if (!classifier.IsVarying(operand))
                {
                    Report(diagnostics, locations, call, "its operand is the same for every element; reduce a value that varies per element");
                }
            }

            foreach (Stmt assignment in StmtTree.Flatten(new[] { statement }))
            {
                if (StmtTree.TargetOf(assignment) is { } target && StmtTree.ExpressionOf(assignment) is { } value && DependsOnReduction(value, dependent))
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
                    case CallExpr call when IsReduction(call):
                        int index = reductions.Count;
                        bool isNorm = call.Function == RuleFunction.Norm;
                        string operand = names.Fresh("reduced" + index);
                        string result = names.Fresh((isNorm ? "norm" : "sumOfSquares") + index);
                        reductions.Add(new ReductionInfo(index, isNorm, operand, result, "Sum" + index));
                        operands.Add(new LocalStmt(operand, ValueKind.Float, call.Arguments[0], $"the operand of reduction {index}"));
                        return new NameExpr(result, ValueKind.Float);
                    default:
                        return ExprTree.MapChildren(expression, Replace);
                }
            }

            Stmt rewritten = StmtTree.MapExpression(statement, Replace);
            body.AddRange(operands);
            body.Add(rewritten);
        }

        return (rule with { Body = body.ToEquatableArray() }, reductions);
    }

    private static void Report(List<DiagnosticInfo> diagnostics, SourceLocations locations, CallExpr call, string why) =>
        Report(diagnostics, locations.Of(call), RuleFunctions.Of(call.Function).CSharpName, why);

    private static void Report(List<DiagnosticInfo> diagnostics, LocationInfo? location, string what, string why) =>
        diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UnsupportedReduction, location, new[] { what, why }.ToEquatableArray()));

    private static bool IsReduction(Expr expression) => expression is CallExpr call && RuleFunctions.IsReduction(call.Function);

    private static bool ContainsReduction(Stmt statement) => ReductionCalls(new[] { statement }).Any();

    private static IEnumerable<CallExpr> ReductionCalls(IEnumerable<Stmt> statements) =>
        StmtTree.Expressions(statements).Where(IsReduction).Cast<CallExpr>();

    /// <summary>Whether the value takes a reduction, or reads a name computed from a reduction's result.</summary>
    private static bool DependsOnReduction(Expr value, HashSet<string> dependent) =>
        ExprTree.Descendants(value).Any(IsReduction) || ExprTree.Names(value).Any(dependent.Contains);
}
