using KernelGen.Language;

namespace KernelGen.Generator.Model;

// The update-rule language as a small tree: what the parser reads from C# and what the analysis,
// the emitters and the IR writer walk. Every node is an equatable record, and none knows where
// it was written (SourceLocations does, beside the model): moving a rule down a line leaves its
// tree equal, so nothing is generated again.

internal enum UnaryOp
{
    Negate,
    Not,
    ToFloat,
}

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
}

internal abstract record Expr(ValueKind Kind);

/// <summary>A local, or a rule parameter.</summary>
internal sealed record NameExpr(string Name, ValueKind Kind) : Expr(Kind);

/// <summary>A constant; <paramref name="Text"/> is the shortest round-trip decimal (floats), or the value.</summary>
internal sealed record LiteralExpr(ValueKind Kind, string Text) : Expr(Kind);

internal sealed record UnaryExpr(UnaryOp Op, Expr Operand, ValueKind Kind) : Expr(Kind);

internal sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right, ValueKind Kind) : Expr(Kind);

/// <summary><c>c ? a : b</c>.</summary>
internal sealed record ConditionalExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse, ValueKind Kind) : Expr(Kind);

/// <summary>A call of a function of the rule language (the catalog <see cref="RuleFunctions"/>).</summary>
internal sealed record CallExpr(RuleFunction Function, EquatableArray<Expr> Arguments) : Expr(ValueKind.Float);

/// <summary>A statement; <paramref name="Source"/> is its C# text, for comments and messages.</summary>
internal abstract record Stmt(string Source);

/// <summary><c>T name = init;</c> or <c>T name;</c>.</summary>
internal sealed record LocalStmt(string Name, ValueKind Kind, Expr? Initializer, string Source) : Stmt(Source);

/// <summary><c>name = value;</c> (compound assignments are written out).</summary>
internal sealed record AssignStmt(string Name, Expr Value, string Source) : Stmt(Source);

internal sealed record IfStmt(Expr Condition, EquatableArray<Stmt> Then, EquatableArray<Stmt> Else, string Source) : Stmt(Source);
