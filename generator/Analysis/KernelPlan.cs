using System.Collections.Generic;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Analysis;

// The shape of a generated kernel, decided once and rendered by each ISA writer:
// a prologue of uniform work (run once per call) and a loop body of varying work (run per lane).

/// <summary>A uniform value the loop reads: a field of the kernel's argument struct and its name inside loops.</summary>
internal sealed record Export(string Field, string LoopName, ValueKind Kind);

/// <summary>A uniform condition that controls varying work: it becomes a type argument of the loops.</summary>
/// <param name="Condition">The rule's condition; null for the loss-scaling flag, which the optimizer's step sets.</param>
internal sealed record Flag(string Field, string TypeParameter, Expr? Condition);

/// <summary>A condition on a flag inside a loop: <c>TFlag.Value ? a : b</c>, folded by the JIT.</summary>
internal sealed record FlagConditionalExpr(int Flag, Expr WhenTrue, Expr WhenFalse, ValueKind Kind) : Expr(Kind);

internal abstract record PrologueStmt;

/// <summary>A uniform statement of the rule, emitted as written.</summary>
internal sealed record RuleStmt(Stmt Statement) : PrologueStmt;

/// <summary>A uniform <c>if</c>; <paramref name="Flag"/> is set when the condition was stored as a flag.</summary>
internal sealed record PrologueIf(Expr Condition, int? Flag, List<PrologueStmt> Then, List<PrologueStmt> Else, string Source) : PrologueStmt;

/// <summary>Stores a uniform value for the loops: <c>args.Field = value;</c>.</summary>
internal sealed record ExportStmt(string Field, Expr Value, string? Why) : PrologueStmt;

internal abstract record LoopStmt;

/// <summary>Declares a per-lane local (an uninitialized one starts at zero).</summary>
internal sealed record LoopLocal(string Name, ValueKind Kind, Expr? Value, string? Source) : LoopStmt;

internal sealed record LoopAssign(string Name, Expr Value, string? Source) : LoopStmt;

/// <summary>Varying work under a uniform condition: <c>if (TFlag.Value) { ... } else { ... }</c>.</summary>
internal sealed record LoopFlagIf(int Flag, List<LoopStmt> Then, List<LoopStmt> Else, string Source) : LoopStmt;

/// <summary>A scope for the statements of one arm of a varying <c>if</c> turned into selects.</summary>
internal sealed record LoopBlock(List<LoopStmt> Statements, string Comment) : LoopStmt;

internal sealed class KernelPlan
{
    public KernelPlan(RuleModel rule) => Rule = rule;

    public RuleModel Rule { get; }

    public List<PrologueStmt> Prologue { get; } = new();

    public List<Export> Exports { get; } = new();

    public List<Flag> Flags { get; } = new();

    public List<LoopStmt> Body { get; } = new();

    /// <summary>Varying inputs the loop body reads or writes (loaded where <see cref="LoadBefore"/> says).</summary>
    public List<RuleParameter> Loaded { get; } = new();

    /// <summary>Whether the argument struct carries the buffer: the loops read or write it, or it is the parameter (whose length is the loop count).</summary>
    public bool IsArgument(RuleParameter buffer) => Loaded.Contains(buffer) || buffer.Role == ParameterRole.Parameter;

    /// <summary>Varying buffers the loop body writes (stored where <see cref="StoreAfter"/> says).</summary>
    public List<RuleParameter> Stored { get; } = new();

    /// <summary>Where the plain loops load each buffer of <see cref="Loaded"/>: before the statement of <see cref="Body"/> at this index, the first that names it.</summary>
    public Dictionary<string, int> LoadBefore { get; } = new();

    /// <summary>Where the plain loops store each buffer of <see cref="Stored"/>: after the statement of <see cref="Body"/> at this index, the last that writes it, but not before the last load.</summary>
    public Dictionary<string, int> StoreAfter { get; } = new();

    /// <summary>
    /// For each buffer whose old value is read, the flag values under which every such read
    /// happens: the loops load it only then. A buffer absent here is written before any read.
    /// </summary>
    public Dictionary<string, List<(int Flag, bool Value)>> Guards { get; } = new();

    /// <summary>For each written buffer, the flag values under which every write happens: the loops store it only then.</summary>
    public Dictionary<string, List<(int Flag, bool Value)>> StoreGuards { get; } = new();

    /// <summary>The field of the argument struct that holds each varying buffer, by rule name.</summary>
    public Dictionary<string, string> SpanFields { get; } = new();

    /// <summary>
    /// The flag and the multiplier that unscale the gradient as the loops load it (loss scaling):
    /// set by the optimizer's step, never by <c>Apply</c>; the flag costs nothing when clear.
    /// </summary>
    public int UnscaleFlag { get; set; }

    public Export GradientMultiplier { get; set; } = null!;

    /// <summary>Names taken by the rule; generated names avoid them.</summary>
    public NameScope Names { get; } = new();
}
