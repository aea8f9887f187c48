using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Language;

namespace KernelGen.Generator.Analysis;

// Software pipelining for rules whose divisions and square roots depend on each other (Adam's
// root, then a division by the bias correction, then the division of the update). One core's
// divider takes such a chain an operation at a time, each waiting for the last: in a plain loop
// it idles between them. Cut at those operations into stages, an iteration runs the last stage of
// one block, the middle stage of the next and the first stage of the one after: three independent
// operations the divider takes back to back. Every element still gets the same operations on the
// same values, so the bits are the plain loop's.

/// <summary>
/// A value the pipelined loop computes once per block: a load (<paramref name="Load"/>), a zero
/// (neither), or <paramref name="Value"/> over other values and the loop's uniform names.
/// </summary>
/// <param name="Stage">The stage that computes it (0-based).</param>
/// <param name="LastUse">The last stage that reads it: values read after their stage are carried over iterations.</param>
/// <param name="Guard">The flag values under which it is needed (it is zero otherwise): the arms of flag <c>if</c>s and <c>?:</c>s it comes from.</param>
internal sealed record PipelineValue(string Name, ValueKind Kind, Expr? Value, RuleParameter? Load, int Stage, int LastUse, List<(int Flag, bool Value)> Guard);

/// <summary>A buffer's final value, stored in the stage that computes it.</summary>
internal sealed record PipelineStore(RuleParameter Buffer, string Value, int Stage);

/// <summary>The loop body as stages of single-assignment values; see <see cref="Build"/>.</summary>
internal sealed class SoftwarePipeline
{
    /// <summary>Blocks of this many vectors (A, B, ...): two independent operations per stage keep the divider busy.</summary>
    public const int Unroll = 2;

    /// <summary>More stages would add code and carried registers for little: later divider operations share the last stage.</summary>
    private const int MaxStages = 4;

    /// <summary>
    /// Fewer stages did not pay: RMSprop and Adagrad (a root, then one division) measured the same
    /// pipelined and plain, the out-of-order core already overlaps so short a chain.
    /// </summary>
    private const int MinStages = 3;

    private readonly KernelPlan _plan;
    private readonly NameScope _names;
    private readonly Dictionary<string, int> _versions = new();

    // Every value defined while walking the body, in program order; Values keeps those a store needs.
    private readonly List<PipelineValue> _defined = new();

    // How many divisions and square roots the longest chain that ends in a value has, its own
    // operation included: a root of a loaded value has depth 1 and goes in stage 0.
    private readonly Dictionary<string, int> _depth = new();

    // The same, through the shallower arm wherever a flag chooses: the chain every flag setting
    // has. Stages beyond it would be empty under some flags, and an empty stage costs carried
    // values and a longer prologue for nothing (AdaBelief without its bias correction measured 10% slower).
    private readonly Dictionary<string, int> _sureDepth = new();
    private readonly List<(int Flag, bool Value)> _guard = new();

    private SoftwarePipeline(KernelPlan plan)
    {
        _plan = plan;
        _names = new NameScope(plan.Names);
        foreach (Export export in plan.Exports)
        {
            _names.Reserve(export.LoopName);
        }
    }

    /// <summary>How many stages: the longest chain of divider operations the stores need under every flag setting, at most <see cref="MaxStages"/>.</summary>
    public int Stages { get; private set; }

    /// <summary>The values the stores need, in program order, with their stages.</summary>
    public List<PipelineValue> Values { get; } = new();

    public List<PipelineStore> Stores { get; } = new();

    /// <summary>
    /// The vector registers the pipelined loop keeps busy at once: every uniform value its stages
    /// read (broadcast once before the loop), every carried value of every block (live across the
    /// back edge), and one register per block for the value being computed. Under every flag
    /// setting at once, so no setting needs more. A machine with fewer registers (an AVX2 x64 has
    /// 16) makes the JIT spill carried values to the stack and reload them in every iteration.
    /// </summary>
    public int VectorRegisters { get; private set; }

    /// <summary>
    /// The plan's loop body as single-assignment values; a division or square root goes in the
    /// stage after the divider operations it waits for, and every other value in the stage of its
    /// latest divider operand. Null when no chain the stores need has <see cref="MinStages"/> such
    /// operations under every flag setting, or when the rule turns it off.
    /// </summary>
    public static SoftwarePipeline? Build(KernelPlan plan)
    {
        if (!plan.Rule.SoftwarePipelining)
        {
            return null;
        }

        var pipeline = new SoftwarePipeline(plan);
        var current = new Dictionary<string, string>();
        foreach (RuleParameter buffer in plan.Loaded)
        {
            current[buffer.Name] = pipeline.Add(buffer.Name, buffer.Kind, null, buffer, 0, 0);
        }

        pipeline.Walk(plan.Body, current);
        List<(RuleParameter Buffer, string Value)> stores = plan.Stored.Select(buffer => (buffer, current[buffer.Name])).ToList();
        HashSet<string> needed = pipeline.Needed(stores.Select(s => s.Value));
        int depth = stores.Select(s => pipeline._sureDepth[s.Value]).DefaultIfEmpty(0).Max();
        if (depth < MinStages)
        {
            return null;
        }

        pipeline.Stages = Math.Min(depth, MaxStages);
        pipeline.Finish(stores, needed);
        pipeline.VectorRegisters = pipeline.CountVectorRegisters();
        return pipeline;
    }

    /// <summary>A new value named after the variable it versions: <c>expAvg_2</c> is the second value of <c>expAvg</c>.</summary>
    private string Add(string baseName, ValueKind kind, Expr? value, RuleParameter? load, int depth, int sureDepth)
    {
        int version = _versions.TryGetValue(baseName, out int last) ? last + 1 : 1;
        _versions[baseName] = version;
        string name = _names.Fresh($"{baseName}_{version}");
        _depth[name] = depth;
        _sureDepth[name] = sureDepth;
        _defined.Add(new PipelineValue(name, kind, value, load, 0, 0, new List<(int, bool)>(_guard)));
        return name;
    }

    private void Walk(List<LoopStmt> statements, Dictionary<string, string> current)
    {
        foreach (LoopStmt statement in statements)
        {
            switch (statement)
            {
                case LoopLocal local:
                    current[local.Name] = local.Value is null
                        ? Add(local.Name, local.Kind, null, null, 0, 0)
                        : Define(local.Name, local.Kind, local.Value, current);
                    break;
                case LoopAssign assign:
                    current[assign.Name] = Define(assign.Name, assign.Value.Kind, assign.Value, current);
                    break;
                case LoopBlock block:
                    Walk(block.Statements, current);
                    break;
                case LoopFlagIf flagIf:
                    var whenTrue = new Dictionary<string, string>(current);
                    var whenFalse = new Dictionary<string, string>(current);
                    _guard.Add((flagIf.Flag, true));
                    Walk(flagIf.Then, whenTrue);
                    _guard[_guard.Count - 1] = (flagIf.Flag, false);
                    Walk(flagIf.Else, whenFalse);
                    _guard.RemoveAt(_guard.Count - 1);
                    // Names that live on after the if (the ones known before it) take the value of
                    // the arm the flag picks; the JIT folds the choice.
                    foreach (string name in current.Keys.ToList())
                    {
                        string thenValue = whenTrue[name];
                        string elseValue = whenFalse[name];
                        if (thenValue == elseValue)
                        {
                            current[name] = thenValue;
                            continue;
                        }

                        ValueKind kind = KindOf(thenValue);
                        var chosen = new FlagConditionalExpr(flagIf.Flag, new NameExpr(thenValue, kind), new NameExpr(elseValue, kind), kind);
                        current[name] = Add(name, kind, chosen, null, Math.Max(_depth[thenValue], _depth[elseValue]), Math.Min(_sureDepth[thenValue], _sureDepth[elseValue]));
                    }

                    break;
            }
        }
    }

    private string Define(string baseName, ValueKind kind, Expr value, Dictionary<string, string> current)
    {
        Expr split = Split(value, current);
        // A copy (a varying if's arm starts from one) is the value itself: nothing to compute or carry twice.
        return split is NameExpr copy && _depth.ContainsKey(copy.Name)
            ? copy.Name
            : Add(baseName, kind, split, null, DepthOf(split), SureDepthOf(split));
    }

    /// <summary>Names redirected to their current values; each division and square root becomes a value of its own.</summary>
    private Expr Split(Expr expression, Dictionary<string, string> current)
    {
        switch (expression)
        {
            case NameExpr name:
                return current.TryGetValue(name.Name, out string? value) ? new NameExpr(value, name.Kind) : name;
            case FlagConditionalExpr flag:
                // Each arm's divider operations are needed only under its flag value, like a flag if's.
                _guard.Add((flag.Flag, true));
                Expr whenTrue = Split(flag.WhenTrue, current);
                _guard[_guard.Count - 1] = (flag.Flag, false);
                Expr whenFalse = Split(flag.WhenFalse, current);
                _guard.RemoveAt(_guard.Count - 1);
                return flag with { WhenTrue = whenTrue, WhenFalse = whenFalse };
            default:
                Expr operands = ExprTree.MapChildren(expression, operand => Split(operand, current));
                return operands is BinaryExpr { Op: BinaryOp.Divide } ? Divider("quotient", operands)
                    : operands is CallExpr { Function: RuleFunction.Sqrt } ? Divider("root", operands)
                    : operands;
        }
    }

    private NameExpr Divider(string baseName, Expr operation) =>
        new(Add(baseName, operation.Kind, operation, null, DepthOf(operation) + 1, SureDepthOf(operation) + 1), operation.Kind);

    private int DepthOf(Expr expression) => References(expression).Select(name => _depth[name]).DefaultIfEmpty(0).Max();

    private int SureDepthOf(Expr expression) => expression switch
    {
        NameExpr name => _sureDepth.TryGetValue(name.Name, out int depth) ? depth : 0,
        FlagConditionalExpr flag => Math.Min(SureDepthOf(flag.WhenTrue), SureDepthOf(flag.WhenFalse)),
        _ => ExprTree.Children(expression).Select(SureDepthOf).DefaultIfEmpty(0).Max(),
    };

    private IEnumerable<string> References(Expr expression) => expression is NameExpr name
        ? _depth.ContainsKey(name.Name) ? new[] { name.Name } : Enumerable.Empty<string>()
        : ExprTree.Children(expression).SelectMany(References);

    private ValueKind KindOf(string name) => _defined.First(v => v.Name == name).Kind;

    private int StageOf(string name) => Math.Min(Math.Max(_depth[name] - 1, 0), Stages - 1);

    /// <summary>The values <paramref name="roots"/> read, directly or not, and the roots.</summary>
    private HashSet<string> Needed(IEnumerable<string> roots)
    {
        var needed = new HashSet<string>(roots);
        // Program order is a topological order: walking it backwards sees every reader of a value before the value.
        for (int k = _defined.Count - 1; k >= 0; k--)
        {
            if (needed.Contains(_defined[k].Name) && _defined[k].Value is { } value)
            {
                needed.UnionWith(References(value));
            }
        }

        return needed;
    }

    private int CountVectorRegisters()
    {
        var exports = new HashSet<string>(_plan.Exports.Select(e => e.LoopName));
        var uniforms = new HashSet<string>(Values.Where(v => v.Value is not null).SelectMany(v => ExprTree.Names(v.Value!)).Where(exports.Contains));
        if (Values.Any(v => v.Load?.Role == ParameterRole.Gradient))
        {
            uniforms.Add(_plan.GradientMultiplier.LoopName); // the gradient is unscaled as it is loaded
        }

        int carried = Values.Sum(v => v.LastUse - v.Stage);
        return uniforms.Count + (carried + 1) * Unroll;
    }

    /// <summary>Keeps the needed values, with their stages and the last stage that reads each.</summary>
    private void Finish(List<(RuleParameter Buffer, string Value)> stores, HashSet<string> needed)
    {
        var lastUse = new Dictionary<string, int>();
        void Use(string name, int stage) => lastUse[name] = lastUse.TryGetValue(name, out int last) ? Math.Max(last, stage) : stage;

        foreach ((RuleParameter buffer, string value) in stores)
        {
            int stage = StageOf(value);
            Stores.Add(new PipelineStore(buffer, value, stage));
            Use(value, stage);
        }

        foreach (PipelineValue value in _defined.Where(v => needed.Contains(v.Name) && v.Value is not null))
        {
            foreach (string operand in References(value.Value!))
            {
                Use(operand, StageOf(value.Name));
            }
        }

        foreach (PipelineValue value in _defined.Where(v => needed.Contains(v.Name)))
        {
            int stage = StageOf(value.Name);
            Values.Add(value with { Stage = stage, LastUse = Math.Max(stage, lastUse[value.Name]) });
        }
    }
}
