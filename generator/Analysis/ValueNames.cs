using System.Globalization;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Language;

namespace KernelGen.Generator.Analysis;

/// <summary>
/// Names for the values the plan introduces, read off what they compute: <c>1f - beta1</c> is
/// <c>OneMinusBeta1</c>, <c>step == 1</c> is <c>StepIsOne</c>. A value whose description would
/// be too long to read (or that holds a <c>?:</c> or a literal without a word) gets none, and the
/// caller names it after where it came from.
/// </summary>
internal static class ValueNames
{
    private const int MaxLength = 48;

    private static readonly string[] Numbers = { "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten" };

    /// <summary>A PascalCase name that says what <paramref name="expression"/> computes, or null.</summary>
    public static string? Describe(Expr expression) =>
        Words(expression) is { Length: > 0 and <= MaxLength } name ? name : null;

    private static string? Words(Expr expression) => expression switch
    {
        NameExpr name => NameScope.Pascal(name.Name),
        LiteralExpr literal => Number(literal),
        UnaryExpr { Op: UnaryOp.ToFloat } unary => Words(unary.Operand),
        UnaryExpr { Op: UnaryOp.Negate } unary => Concat("Negated", Words(unary.Operand)),
        UnaryExpr unary => Concat("Not", Words(unary.Operand)),
        BinaryExpr binary => Concat(Words(binary.Left), Operator(binary.Op), Words(binary.Right)),
        CallExpr call => Concat(new[] { RuleFunctions.Of(call.Function).MethodName }.Concat(call.Arguments.Select(Words)).ToArray()),
        _ => null,
    };

    /// <summary>The parts run together, or null when one has no words.</summary>
    private static string? Concat(params string?[] parts) => parts.Any(part => part is null) ? null : string.Concat(parts);

    private static string Operator(BinaryOp op) => op switch
    {
        BinaryOp.Add => "Plus",
        BinaryOp.Subtract => "Minus",
        BinaryOp.Multiply => "Times",
        BinaryOp.Divide => "Over",
        BinaryOp.And => "And",
        BinaryOp.Or => "Or",
        BinaryOp.Equal => "Is",
        BinaryOp.NotEqual => "IsNot",
        BinaryOp.LessThan => "Below",
        BinaryOp.LessThanOrEqual => "AtMost",
        BinaryOp.GreaterThan => "Above",
        _ => "AtLeast",
    };

    /// <summary>Small whole numbers and one half have words; other constants have none.</summary>
    private static string? Number(LiteralExpr literal)
    {
        if (literal.Kind == ValueKind.Bool)
        {
            return literal.Text == "true" ? "True" : "False";
        }

        if (literal.Text == "0.5")
        {
            return "Half";
        }

        return int.TryParse(literal.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value < Numbers.Length
            ? Numbers[value]
            : null;
    }
}
