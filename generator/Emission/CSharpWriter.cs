using System;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;
using KernelGen.Language;

namespace KernelGen.Generator.Emission;

/// <summary>
/// Renders expressions as C#: scalar (the rule's own float arithmetic) or on a vector width,
/// with the operations that give the same bits lane by lane. Parentheses follow C# precedence.
/// </summary>
internal sealed class CSharpWriter
{
    /// <summary>The width that stands for <c>System.Numerics.Vector&lt;float&gt;</c>, whose width is the runtime's.</summary>
    public const int VectorTWidth = -1;

    private readonly int _width;
    private readonly Func<int, string> _flagValue;
    private readonly VectorAliases? _vectors;
    private readonly TargetFeatures _target;

    /// <param name="width">0 for scalar, 128, 256 or 512, or <see cref="VectorTWidth"/>.</param>
    /// <param name="flagValue">The value of flag k, e.g. <c>TAmsgrad.Value</c>.</param>
    /// <param name="vectors">The file's aliases for the vector types; without them, their full names.</param>
    /// <param name="target">What the target framework gives; without it, <see cref="TargetFeatures.Current"/>.</param>
    public CSharpWriter(int width, Func<int, string> flagValue, VectorAliases? vectors = null, TargetFeatures? target = null)
    {
        _width = width;
        _flagValue = flagValue;
        _vectors = vectors;
        _target = target ?? TargetFeatures.Current;
    }

    /// <summary>A lane mask set everywhere. <c>Vector&lt;T&gt;</c> of .NET Standard 2.1 has no <c>AllBitsSet</c>: the runtime's class has.</summary>
    public string AllBitsSet => _width == VectorTWidth ? VectorClass + ".AllBitsSet" : VectorType + ".AllBitsSet";

    /// <summary>The vector type, e.g. <c>V512</c> for <c>Vector512&lt;float&gt;</c>.</summary>
    public string VectorType => _vectors?.Type(_width) ?? TypeNames.Vector(_width);

    /// <summary>The static helper class, e.g. <c>Vector512</c>.</summary>
    public string VectorClass => _vectors?.Class(_width) ?? TypeNames.VectorClass(_width);

    public bool IsVector => _width != 0;

    public static string Scalar(Expr expression) => new CSharpWriter(0, k => "TFlag" + k + ".Value").Write(expression);

    public string TypeOf(ValueKind kind) => IsVector ? VectorType : Keyword(kind);

    public static string Keyword(ValueKind kind) => kind switch
    {
        ValueKind.Float => "float",
        ValueKind.Int => "int",
        _ => "bool",
    };

    public string Write(Expr expression) => Write(expression, 0);

    // Precedence: conditional 1, || 2, && 3, | 4, & 5, == != 6, < > 7, + - 8, * / 9, unary 10, primary 11.
    private string Write(Expr expression, int context)
    {
        (string text, int precedence) = Render(expression);
        return precedence < context ? "(" + text + ")" : text;
    }

    private (string Text, int Precedence) Render(Expr expression)
    {
        switch (expression)
        {
            case NameExpr name:
                return (name.Name, 11);

            case LiteralExpr literal:
                return (Literal(literal), IsVector || literal.Text.StartsWith("-", StringComparison.Ordinal) ? (IsVector ? 11 : 10) : 11);

            case UnaryExpr { Op: UnaryOp.ToFloat } unary:
                return ("(float)" + Write(unary.Operand, 10), 10);

            case UnaryExpr { Op: UnaryOp.Negate } unary when _width == VectorTWidth:
                // Vector<T>'s unary minus is 0 - x (+0 for +0): the sign bit is flipped instead, as -x does.
                return ($"{VectorClass}.Negate({Write(unary.Operand)})", 11);

            case UnaryExpr { Op: UnaryOp.Negate } unary:
            {
                string operand = Write(unary.Operand, 10);
                return (operand.StartsWith("-", StringComparison.Ordinal) ? "-(" + operand + ")" : "-" + operand, 10);
            }

            case UnaryExpr { Op: UnaryOp.Not } unary:
                return ((IsVector ? "~" : "!") + Write(unary.Operand, 10), 10);

            case BinaryExpr binary:
                return RenderBinary(binary);

            case ConditionalExpr conditional when IsVector:
                return ($"{VectorClass}.ConditionalSelect({Write(conditional.Condition)}, {Write(conditional.WhenTrue)}, {Write(conditional.WhenFalse)})", 11);

            case ConditionalExpr conditional:
                return ($"{Write(conditional.Condition, 2)} ? {Write(conditional.WhenTrue, 1)} : {Write(conditional.WhenFalse, 1)}", 1);

            case FlagConditionalExpr flag:
                return ($"{_flagValue(flag.Flag)} ? {Write(flag.WhenTrue, 1)} : {Write(flag.WhenFalse, 1)}", 1);

            case CallExpr call:
                return (RenderCall(call), 11);

            default:
                throw new InvalidOperationException("Unknown expression " + expression.GetType().Name);
        }
    }

    private (string, int) RenderBinary(BinaryExpr binary)
    {
        if (IsVector)
        {
            switch (binary.Op)
            {
                case BinaryOp.LessThan:
                case BinaryOp.LessThanOrEqual:
                case BinaryOp.GreaterThan:
                case BinaryOp.GreaterThanOrEqual:
                    return ($"{VectorClass}.{binary.Op}({Write(binary.Left)}, {Write(binary.Right)})", 11);
                case BinaryOp.Equal when binary.Left.Kind == ValueKind.Bool:
                    // Lane masks are all ones or all zeros: equal where no bit differs.
                    return ($"~({Write(binary.Left, 5)} ^ {Write(binary.Right, 5)})", 10);
                case BinaryOp.NotEqual when binary.Left.Kind == ValueKind.Bool:
                    return Infix(binary, "^", 5);
                case BinaryOp.Equal:
                    return ($"{VectorClass}.Equals({Write(binary.Left)}, {Write(binary.Right)})", 11);
                case BinaryOp.NotEqual:
                    // IEEE: NaN != x holds, and so does the complement of an ordered equality.
                    return ($"~{VectorClass}.Equals({Write(binary.Left)}, {Write(binary.Right)})", 10);
                case BinaryOp.And:
                    return Infix(binary, "&", 5);
                case BinaryOp.Or:
                    return Infix(binary, "|", 4);
            }
        }

        return binary.Op switch
        {
            BinaryOp.Add => Infix(binary, "+", 8),
            BinaryOp.Subtract => Infix(binary, "-", 8),
            BinaryOp.Multiply => Infix(binary, "*", 9),
            BinaryOp.Divide => Infix(binary, "/", 9),
            BinaryOp.LessThan => Infix(binary, "<", 7),
            BinaryOp.LessThanOrEqual => Infix(binary, "<=", 7),
            BinaryOp.GreaterThan => Infix(binary, ">", 7),
            BinaryOp.GreaterThanOrEqual => Infix(binary, ">=", 7),
            BinaryOp.Equal => Infix(binary, "==", 6),
            BinaryOp.NotEqual => Infix(binary, "!=", 6),
            BinaryOp.And => Infix(binary, "&&", 3),
            _ => Infix(binary, "||", 2),
        };
    }

    // Left-associative: the right operand needs parentheses at equal precedence, so a - (b - c)
    // keeps its grouping and the evaluation order of the rule.
    private (string, int) Infix(BinaryExpr binary, string op, int precedence) =>
        ($"{Write(binary.Left, precedence)} {op} {Write(binary.Right, precedence + 1)}", precedence);

    private string RenderCall(CallExpr call)
    {
        string arguments = string.Join(", ", call.Arguments.Select(argument => Write(argument)));
        RuleFunctionInfo function = RuleFunctions.Of(call.Function);
        if (!IsVector)
        {
            return $"global::{function.TypeName}.{function.MethodName}({arguments})";
        }

        if (function.Domain != FunctionDomain.PerElement)
        {
            throw new InvalidOperationException(function.CSharpName + " has no vector form; the analysis keeps it uniform.");
        }

        // MathF's functions have their vector forms in VectorN; others (KernelMath.Sign) overload their
        // own name. Where VectorN.Max/Min are not MathF's lane by lane (.NET 8), KernelMath's are.
        bool inVectorClass = function.IsMathF &&
            (_target.VectorMinMaxMatchMathF || function.Function is not (RuleFunction.Max or RuleFunction.Min));
        return inVectorClass
            ? $"{VectorClass}.{function.MethodName}({arguments})"
            : $"global::{(function.IsMathF ? RuleFunctions.KernelMathType : function.TypeName)}.{function.MethodName}({arguments})";
    }

    private string Literal(LiteralExpr literal)
    {
        string scalar = literal.Kind switch
        {
            ValueKind.Float => FloatLiteral(literal.Text),
            _ => literal.Text,
        };
        if (!IsVector)
        {
            return scalar;
        }

        return literal.Kind switch
        {
            ValueKind.Float => $"{VectorClass}.Create({scalar})",
            ValueKind.Bool => literal.Text == "true" ? AllBitsSet : $"{VectorType}.Zero",
            _ => throw new InvalidOperationException("An int has no vector form."),
        };
    }

    public static string FloatLiteral(string text) => text switch
    {
        "NaN" => "float.NaN",
        "Infinity" => "float.PositiveInfinity",
        "-Infinity" => "float.NegativeInfinity",
        _ => text + "f",
    };
}
