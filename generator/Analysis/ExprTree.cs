using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Analysis;

/// <summary>The direct operands of an expression, and the expression rebuilt over new ones: what every pass that walks expressions shares (<see cref="StmtTree"/> is its counterpart for statements).</summary>
internal static class ExprTree
{
    /// <summary>The operands of <paramref name="expression"/>, left to right (none for a name or a literal).</summary>
    public static IEnumerable<Expr> Children(Expr expression) => expression switch
    {
        UnaryExpr unary => new[] { unary.Operand },
        BinaryExpr binary => new[] { binary.Left, binary.Right },
        ConditionalExpr conditional => new[] { conditional.Condition, conditional.WhenTrue, conditional.WhenFalse },
        FlagConditionalExpr flag => new[] { flag.WhenTrue, flag.WhenFalse },
        CallExpr call => call.Arguments,
        _ => Enumerable.Empty<Expr>(),
    };

    /// <summary><paramref name="expression"/> and everything under it, each node before its operands, left to right.</summary>
    public static IEnumerable<Expr> Descendants(Expr expression) =>
        new[] { expression }.Concat(Children(expression).SelectMany(Descendants));

    /// <summary>The names <paramref name="expression"/> reads, in order, repeats included.</summary>
    public static IEnumerable<string> Names(Expr expression) => Descendants(expression).OfType<NameExpr>().Select(name => name.Name);

    /// <summary><paramref name="expression"/> with each operand replaced by <paramref name="map"/> of it, left to right; a name or a literal as it is.</summary>
    public static Expr MapChildren(Expr expression, Func<Expr, Expr> map) => expression switch
    {
        UnaryExpr unary => unary with { Operand = map(unary.Operand) },
        BinaryExpr binary => binary with { Left = map(binary.Left), Right = map(binary.Right) },
        ConditionalExpr conditional => conditional with
        {
            Condition = map(conditional.Condition),
            WhenTrue = map(conditional.WhenTrue),
            WhenFalse = map(conditional.WhenFalse),
        },
        FlagConditionalExpr flag => flag with { WhenTrue = map(flag.WhenTrue), WhenFalse = map(flag.WhenFalse) },
        CallExpr call => call with { Arguments = call.Arguments.Select(map).ToEquatableArray() },
        NameExpr or LiteralExpr => expression,
        _ => throw new InvalidOperationException("Unknown expression " + expression.GetType().Name),
    };
}
