using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Analysis;

/// <summary>
/// The statements of a rule as every pass walks them, as <see cref="ExprTree"/> is for
/// expressions: statements nest only in the arms of an <c>if</c>, and each reads at most one
/// expression of its own (an initializer, an assigned value or a condition).
/// </summary>
internal static class StmtTree
{
    /// <summary>Every statement, each <c>if</c> before its then-arm and its else-arm, in the order written.</summary>
    public static IEnumerable<Stmt> Flatten(IEnumerable<Stmt> statements) =>
        statements.SelectMany(statement => statement is IfStmt ifStatement
            ? new[] { statement }.Concat(Flatten(ifStatement.Then)).Concat(Flatten(ifStatement.Else))
            : new[] { statement });

    /// <summary>The expression the statement itself reads, not those of nested statements (null for a declaration without initializer).</summary>
    public static Expr? ExpressionOf(Stmt statement) => statement switch
    {
        LocalStmt local => local.Initializer,
        AssignStmt assign => assign.Value,
        IfStmt ifStatement => ifStatement.Condition,
        _ => null,
    };

    /// <summary><paramref name="statement"/> with its own expression replaced by <paramref name="map"/> of it; nested statements as they are.</summary>
    public static Stmt MapExpression(Stmt statement, Func<Expr, Expr> map) => statement switch
    {
        LocalStmt { Initializer: { } initializer } local => local with { Initializer = map(initializer) },
        AssignStmt assign => assign with { Value = map(assign.Value) },
        IfStmt ifStatement => ifStatement with { Condition = map(ifStatement.Condition) },
        _ => statement,
    };

    /// <summary>The name a declaration or an assignment writes (null for an <c>if</c>).</summary>
    public static string? TargetOf(Stmt statement) => statement switch
    {
        LocalStmt local => local.Name,
        AssignStmt assign => assign.Name,
        _ => null,
    };

    /// <summary>The locals declared in <paramref name="statements"/>, nested ones included.</summary>
    public static IEnumerable<LocalStmt> Locals(IEnumerable<Stmt> statements) => Flatten(statements).OfType<LocalStmt>();

    /// <summary>The names declared or assigned in <paramref name="statements"/>, nested ones included, repeats kept.</summary>
    public static IEnumerable<string> Targets(IEnumerable<Stmt> statements) =>
        Flatten(statements).Select(TargetOf).Where(name => name is not null).Select(name => name!);

    /// <summary>Every expression node the statements read, nested statements included, in the order written.</summary>
    public static IEnumerable<Expr> Expressions(IEnumerable<Stmt> statements) =>
        Flatten(statements).Select(ExpressionOf).Where(expression => expression is not null).SelectMany(expression => ExprTree.Descendants(expression!));
}
