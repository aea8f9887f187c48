using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;
using KernelGen.Language;

namespace KernelGen.Generator.Emission;

/// <summary>Writes a rule as the S-expression IR the runtime's reference interpreter reads (docs/ir.md).</summary>
internal static class IrWriter
{
    public static string Write(RuleModel rule)
    {
        var writer = new IndentedWriter();
        writer.Line("(rule " + rule.ClassName);
        foreach (RuleParameter parameter in rule.Parameters)
        {
            writer.Line("  " + parameter.Role switch
            {
                ParameterRole.Parameter => $"(param {parameter.Name})",
                ParameterRole.Gradient => $"(grad {parameter.Name})",
                ParameterRole.State => $"(state {parameter.Name})",
                ParameterRole.TensorState => $"(tensor {parameter.Name})",
                ParameterRole.Hyperparameter => $"(hyper {parameter.Name} {CSharpWriter.Keyword(parameter.Kind)})",
                _ => $"(step {parameter.Name})",
            });
        }

        writer.Line("  (body");
        foreach (Stmt statement in rule.Body)
        {
            WriteStatement(writer, statement, "    ");
        }

        writer.Line("  ))");
        return writer.ToString().TrimEnd('\n');
    }

    private static void WriteStatement(IndentedWriter writer, Stmt statement, string indent)
    {
        switch (statement)
        {
            case LocalStmt local:
                writer.Line($"{indent}(local {local.Name} {CSharpWriter.Keyword(local.Kind)}{(local.Initializer is null ? "" : " " + Expression(local.Initializer))})");
                break;
            case AssignStmt assign:
                writer.Line($"{indent}(set {assign.Name} {Expression(assign.Value)})");
                break;
            case IfStmt ifStatement:
                writer.Line($"{indent}(if {Expression(ifStatement.Condition)}");
                writer.Line($"{indent}  (block");
                foreach (Stmt inner in ifStatement.Then)
                {
                    WriteStatement(writer, inner, indent + "    ");
                }

                writer.Line($"{indent}  )");
                writer.Line($"{indent}  (block");
                foreach (Stmt inner in ifStatement.Else)
                {
                    WriteStatement(writer, inner, indent + "    ");
                }

                writer.Line($"{indent}  ))");
                break;
        }
    }

    private static string Expression(Expr expression) => expression switch
    {
        NameExpr name => name.Name,
        LiteralExpr literal => $"({CSharpWriter.Keyword(literal.Kind)} {literal.Text})",
        UnaryExpr unary => $"({unary.Op switch { UnaryOp.Negate => "neg", UnaryOp.Not => "not", _ => "tofloat" }} {Expression(unary.Operand)})",
        BinaryExpr binary => $"({Operator(binary.Op)} {Expression(binary.Left)} {Expression(binary.Right)})",
        ConditionalExpr conditional => $"(cond {Expression(conditional.Condition)} {Expression(conditional.WhenTrue)} {Expression(conditional.WhenFalse)})",
        CallExpr call => $"(call {RuleFunctions.Of(call.Function).IrToken} {string.Join(" ", call.Arguments.Select(Expression))})",
        _ => throw new System.InvalidOperationException("Not a rule expression: " + expression.GetType().Name),
    };

    private static string Operator(BinaryOp op) => op switch
    {
        BinaryOp.Add => "add",
        BinaryOp.Subtract => "sub",
        BinaryOp.Multiply => "mul",
        BinaryOp.Divide => "div",
        BinaryOp.LessThan => "lt",
        BinaryOp.LessThanOrEqual => "le",
        BinaryOp.GreaterThan => "gt",
        BinaryOp.GreaterThanOrEqual => "ge",
        BinaryOp.Equal => "eq",
        BinaryOp.NotEqual => "ne",
        BinaryOp.And => "and",
        _ => "or",
    };
}
