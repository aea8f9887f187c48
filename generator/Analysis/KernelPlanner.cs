using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Analysis;

/// <summary>
/// Turns a rule into a <see cref="KernelPlan"/>: uniform statements move to the prologue;
/// every maximal uniform subexpression of varying work is hoisted there too; uniform conditions
/// over varying work become flags (type arguments, so the JIT unswitches them); varying
/// conditions become lane-wise selects. Nothing is reordered or rewritten arithmetically: the
/// loops compute what the rule computes, operation for operation.
/// </summary>
internal sealed class KernelPlanner
{
    private readonly Classifier _classifier;
    private readonly KernelPlan _plan;
    private readonly NameScope _fields = new();
    private readonly Dictionary<string, RuleParameter> _parameters;
    private readonly Dictionary<string, int> _homes = new();
    private readonly List<Level> _levels = new();
    private readonly HashSet<string> _loopNames = new();
    private readonly List<(int Flag, bool Value)> _guard = new();
    private readonly HashSet<string> _written = new(); // buffers written so far on the current path

    private KernelPlanner(RuleModel rule, Classifier classifier)
    {
        _classifier = classifier;
        _plan = new KernelPlan(rule);
        _parameters = rule.Parameters.ToDictionary(p => p.Name);
        foreach (RuleParameter parameter in rule.Parameters)
        {
            _plan.Names.Reserve(parameter.Name);
            if (parameter.Role.IsBuffer())
            {
                _plan.SpanFields[parameter.Name] = _fields.Fresh(NameScope.Pascal(parameter.Name));
            }
        }

        foreach (LocalStmt local in StmtTree.Locals(rule.Body))
        {
            _plan.Names.Reserve(local.Name);
        }
    }

    public static KernelPlan Plan(RuleModel rule, Classifier classifier)
    {
        var planner = new KernelPlanner(rule, classifier);
        planner._levels.Add(new Level(planner._plan.Prologue));
        planner.Walk(rule.Body, planner._plan.Prologue, planner._plan.Body, new Dictionary<string, string>());
        if (!rule.IsKernel)
        {
            planner.AddGradientUnscaling(); // a kernel has no gradient to unscale
        }

        planner.PlaceLoadsAndStores();
        return planner._plan;
    }

    /// <summary>
    /// Where the plain loops load and store each buffer: loaded just before the first statement
    /// that names it, stored right after the statement that last writes it, but never ahead of a
    /// load of the same iteration. Measured against loading everything first and storing everything
    /// last: 2 to 5% faster for AdamW past the caches, the same in them (docs/performance.md, the
    /// fourth gcc round). A store ahead of a later load would wait on 4 KiB aliasing when buffers
    /// sit at equal offsets, so stores wait for the last load. Loads and stores only move: the same
    /// operations on the same values, the same bits.
    /// </summary>
    private void PlaceLoadsAndStores()
    {
        List<LoopStmt> body = _plan.Body;
        int lastLoad = 0;
        foreach (RuleParameter buffer in _plan.Loaded)
        {
            int at = Math.Max(0, body.FindIndex(statement => Mentions(statement, buffer.Name)));
            _plan.LoadBefore[buffer.Name] = at;
            lastLoad = Math.Max(lastLoad, at);
        }

        int last = Math.Max(0, body.Count - 1);
        foreach (RuleParameter buffer in _plan.Stored)
        {
            _plan.StoreAfter[buffer.Name] = Math.Min(last, Math.Max(lastLoad, body.FindLastIndex(statement => Writes(statement, buffer.Name))));
        }
    }

    /// <summary>Whether <paramref name="statement"/> (its nested statements included) reads or writes <paramref name="name"/>.</summary>
    private static bool Mentions(LoopStmt statement, string name) =>
        Nested(statement).Any(s => s switch
        {
            LoopLocal local => local.Name == name || (local.Value is not null && ExprTree.Names(local.Value).Contains(name)),
            LoopAssign assign => assign.Name == name || ExprTree.Names(assign.Value).Contains(name),
            _ => false,
        });

    /// <summary>Whether <paramref name="statement"/> (its nested statements included) assigns <paramref name="name"/>.</summary>
    private static bool Writes(LoopStmt statement, string name) =>
        Nested(statement).Any(s => s is LoopLocal local ? local.Name == name : s is LoopAssign assign && assign.Name == name);

    /// <summary><paramref name="statement"/> and every statement in its arms and blocks.</summary>
    private static IEnumerable<LoopStmt> Nested(LoopStmt statement) => statement switch
    {
        LoopFlagIf flagIf => new[] { statement }.Concat(flagIf.Then.Concat(flagIf.Else).SelectMany(Nested)),
        LoopBlock block => new[] { statement }.Concat(block.Statements.SelectMany(Nested)),
        _ => new[] { statement },
    };

    /// <param name="renames">Varying names redirected to the copies an arm of a varying <c>if</c> works on.</param>
    private void Walk(IEnumerable<Stmt> statements, List<PrologueStmt> prologue, List<LoopStmt> loop, Dictionary<string, string> renames)
    {
        foreach (Stmt statement in statements)
        {
            switch (statement)
            {
                case LocalStmt local when !_classifier.IsVarying(local.Name):
                    prologue.Add(new RuleStmt(local));
                    Bump(local.Name);
                    break;

                case AssignStmt assign when !_classifier.IsVarying(assign.Name):
                    prologue.Add(new RuleStmt(assign));
                    Bump(assign.Name);
                    break;

                case LocalStmt local:
                    loop.Add(new LoopLocal(local.Name, local.Kind, local.Initializer is null ? null : Lower(local.Initializer, prologue, renames, local), local.Source));
                    Touch(local.Name, written: true);
                    break;

                case AssignStmt assign:
                    // The value is read before the target is written: lower it first.
                    Expr value = Lower(assign.Value, prologue, renames, assign);
                    loop.Add(new LoopAssign(Rename(assign.Name, renames), value, assign.Source));
                    Touch(assign.Name, written: true);
                    break;

                case IfStmt ifStatement when !_classifier.IsVarying(ifStatement.Condition):
                    WalkUniformIf(ifStatement, prologue, loop, renames);
                    break;

                case IfStmt ifStatement:
                    WalkVaryingIf(ifStatement, prologue, loop, renames);
                    break;
            }
        }
    }

    private void WalkUniformIf(IfStmt ifStatement, List<PrologueStmt> prologue, List<LoopStmt> loop, Dictionary<string, string> renames)
    {
        bool controlsVaryingWork = ifStatement.Then.Any(_classifier.HasVaryingWork) || ifStatement.Else.Any(_classifier.HasVaryingWork);
        int? flag = controlsVaryingWork ? AddFlag(ifStatement.Condition, prologue, ifStatement) : null;

        var prologueThen = new List<PrologueStmt>();
        var prologueElse = new List<PrologueStmt>();
        var loopThen = new List<LoopStmt>();
        var loopElse = new List<LoopStmt>();
        List<string> assigned = StmtTree.Targets(ifStatement.Then.Concat(ifStatement.Else)).Distinct().ToList();

        // Values exported inside an arm exist only when that arm runs: each arm is a level of its own.
        _levels.Add(new Level(prologueThen));
        HashSet<string> before = new(_written);
        Guarded(flag, true, () => Walk(ifStatement.Then, prologueThen, loopThen, renames));
        HashSet<string> afterThen = Swap(before);
        _levels[_levels.Count - 1] = new Level(prologueElse);
        Guarded(flag, false, () => Walk(ifStatement.Else, prologueElse, loopElse, renames));
        _levels.RemoveAt(_levels.Count - 1);
        _written.IntersectWith(afterThen); // written after the if: written by both arms (or before)
        foreach (string name in assigned)
        {
            Bump(name);
        }

        if (prologueThen.Count > 0 || prologueElse.Count > 0)
        {
            prologue.Add(new PrologueIf(ifStatement.Condition, flag, prologueThen, prologueElse, ifStatement.Source));
        }

        if (flag is { } index && (loopThen.Count > 0 || loopElse.Count > 0))
        {
            loop.Add(new LoopFlagIf(index, loopThen, loopElse, ifStatement.Source));
        }
    }

    private void WalkVaryingIf(IfStmt ifStatement, List<PrologueStmt> prologue, List<LoopStmt> loop, Dictionary<string, string> renames)
    {
        // Both arms run on every lane, each on its own copies of what it assigns; then each
        // assigned value is chosen lane by lane. The rule's arms have no side effects but
        // assignments, so this computes what the branch computes.
        string mask = _plan.Names.Fresh(ValueNames.Describe(ifStatement.Condition) is { } condition ? NameScope.Camel(condition) : "mask");
        loop.Add(new LoopLocal(mask, ValueKind.Bool, Lower(ifStatement.Condition, prologue, renames, ifStatement), ifStatement.Source));

        List<string> thenAssigned = AssignedOutside(ifStatement.Then);
        List<string> elseAssigned = AssignedOutside(ifStatement.Else);
        HashSet<string> before = new(_written);
        Dictionary<string, string> thenNames = Arm(ifStatement.Then, thenAssigned, "then", prologue, loop, renames);
        HashSet<string> afterThen = Swap(before);
        Dictionary<string, string> elseNames = Arm(ifStatement.Else, elseAssigned, "else", prologue, loop, renames);
        _written.IntersectWith(afterThen);

        foreach (string name in thenAssigned.Union(elseAssigned))
        {
            RuleParameter? parameter = _parameters.TryGetValue(name, out RuleParameter? p) ? p : null;
            ValueKind kind = parameter?.Kind ?? KindOfLocal(name);
            string current = Rename(name, renames);
            Touch(name, written: true);
            Expr whenTrue = new NameExpr(thenNames.TryGetValue(name, out string? t) ? t : current, kind);
            Expr whenFalse = new NameExpr(elseNames.TryGetValue(name, out string? e) ? e : current, kind);
            loop.Add(new LoopAssign(current, new ConditionalExpr(new NameExpr(mask, ValueKind.Bool), whenTrue, whenFalse, kind), null));
        }
    }

    private Dictionary<string, string> Arm(IEnumerable<Stmt> statements, List<string> assigned, string arm,
        List<PrologueStmt> prologue, List<LoopStmt> loop, Dictionary<string, string> renames)
    {
        var names = new Dictionary<string, string>();
        var armRenames = new Dictionary<string, string>(renames);
        foreach (string name in assigned)
        {
            string copy = _plan.Names.Fresh(name + "_" + arm);
            ValueKind kind = _parameters.TryGetValue(name, out RuleParameter? p) ? p.Kind : KindOfLocal(name);
            Touch(name, written: false);
            loop.Add(new LoopLocal(copy, kind, new NameExpr(Rename(name, renames), kind), null));
            names[name] = copy;
            armRenames[name] = copy;
        }

        var body = new List<LoopStmt>();
        Walk(statements, prologue, body, armRenames);
        if (body.Count > 0)
        {
            loop.Add(new LoopBlock(body, arm == "then" ? "lanes where the condition holds" : "lanes where it does not"));
        }

        return names;
    }

    /// <summary>The varying names an arm assigns that live on after it (not its own locals).</summary>
    private List<string> AssignedOutside(EquatableArray<Stmt> statements)
    {
        var declaredInside = new HashSet<string>(StmtTree.Locals(statements).Select(local => local.Name));
        return StmtTree.Targets(statements).Where(name => _classifier.IsVarying(name) && !declaredInside.Contains(name)).Distinct().ToList();
    }

    /// <summary>Rewrites a varying expression for the loop: uniform parts become exported values.</summary>
    /// <param name="origin">The rule's statement the expression belongs to.</param>
    private Expr Lower(Expr expression, List<PrologueStmt> prologue, Dictionary<string, string> renames, Stmt origin)
    {
        if (!_classifier.IsVarying(expression))
        {
            return expression switch
            {
                LiteralExpr => expression,
                NameExpr name => new NameExpr(Export(name, origin).LoopName, name.Kind),
                _ => new NameExpr(Export(expression, origin).LoopName, expression.Kind),
            };
        }

        switch (expression)
        {
            case NameExpr name:
                Touch(name.Name, written: false);
                return new NameExpr(Rename(name.Name, renames), name.Kind);
            case ConditionalExpr conditional when !_classifier.IsVarying(conditional.Condition):
                int flag = AddFlag(conditional.Condition, prologue, origin);
                Expr whenTrue = null!, whenFalse = null!;
                Guarded(flag, true, () => whenTrue = Lower(conditional.WhenTrue, prologue, renames, origin));
                Guarded(flag, false, () => whenFalse = Lower(conditional.WhenFalse, prologue, renames, origin));
                return new FlagConditionalExpr(flag, whenTrue, whenFalse, conditional.Kind);
            default:
                return ExprTree.MapChildren(expression, operand => Lower(operand, prologue, renames, origin));
        }
    }

    private void AddGradientUnscaling()
    {
        _plan.UnscaleFlag = _plan.Flags.Count;
        _plan.Flags.Add(new Flag(_fields.Fresh("UnscaleGradient"), _plan.Names.Fresh("TUnscaleGradient"), null));
        string field = _fields.Fresh("GradientMultiplier");
        _plan.GradientMultiplier = new Export(field, _plan.Names.Fresh(NameScope.Camel(field)), ValueKind.Float);
        _plan.Exports.Add(_plan.GradientMultiplier);
    }

    /// <summary>A flag named after its condition: <c>amsgrad</c> is <c>TAmsgrad</c>, <c>step == 1</c> is <c>TStepIsOne</c>.</summary>
    private int AddFlag(Expr condition, List<PrologueStmt> prologue, Stmt origin)
    {
        string baseName = ValueNames.Describe(condition) ?? "Condition" + _plan.Flags.Count;
        string field = _fields.Fresh(baseName);
        string typeParameter = _plan.Names.Fresh("T" + baseName);
        prologue.Add(new ExportStmt(field, condition, "decides " + origin.Source));
        _plan.Flags.Add(new Flag(field, typeParameter, condition));
        return _plan.Flags.Count - 1;
    }

    /// <summary>
    /// Exports a uniform value to the loops. It is computed at the shallowest prologue level where
    /// everything it reads has its current value, so a value used in both arms of an <c>if</c> is
    /// computed once, before it; the same value at the same level is exported once.
    /// </summary>
    private Export Export(Expr value, Stmt origin)
    {
        // An int division can throw: it stays under the conditions the rule evaluates it under.
        int depth = MayThrow(value)
            ? _levels.Count - 1
            : ExprTree.Names(value).Select(name => _homes.TryGetValue(name, out int home) ? home : 0).DefaultIfEmpty(0).Max();
        Level level = _levels[depth];
        if (level.Exports.TryGetValue(value, out Export? existing))
        {
            return existing;
        }

        string field, loopName;
        if (value is NameExpr name)
        {
            field = _fields.Fresh(NameScope.Pascal(name.Name));
            // A uniform name never stands for a varying value in the loops: it can keep its name there.
            loopName = _loopNames.Add(name.Name) ? name.Name : _plan.Names.Fresh(name.Name);
        }
        else
        {
            // Named after what it computes, else after the local it is computed for.
            field = _fields.Fresh(ValueNames.Describe(value) ?? NameScope.Pascal(StmtTree.TargetOf(origin) ?? "hoisted") + "Term");
            loopName = _plan.Names.Fresh(NameScope.Camel(field));
        }

        _loopNames.Add(loopName);
        var export = new Export(field, loopName, value.Kind);
        _plan.Exports.Add(export);
        level.Prologue.Add(new ExportStmt(field, value, value is NameExpr ? null : "hoisted from: " + origin.Source));
        level.Exports[value] = export;
        return export;
    }

    private static bool MayThrow(Expr expression) =>
        ExprTree.Descendants(expression).Any(e => e is BinaryExpr { Op: BinaryOp.Divide, Kind: ValueKind.Int });

    /// <summary>One prologue scope: the statements it runs and the values it has exported.</summary>
    private sealed class Level
    {
        public Level(List<PrologueStmt> prologue) => Prologue = prologue;

        public List<PrologueStmt> Prologue { get; }

        public Dictionary<Expr, Export> Exports { get; } = new();
    }

    private void Guarded(int? flag, bool value, System.Action walk)
    {
        if (flag is { } index)
        {
            _guard.Add((index, value));
        }

        walk();
        if (flag is not null)
        {
            _guard.RemoveAt(_guard.Count - 1);
        }
    }

    /// <summary>A uniform name was assigned: exports made before now hold its old value.</summary>
    private void Bump(string name)
    {
        _homes[name] = _levels.Count - 1;
        foreach (Level level in _levels)
        {
            foreach (Expr stale in level.Exports.Keys.Where(key => ExprTree.Names(key).Contains(name)).ToList())
            {
                level.Exports.Remove(stale);
            }
        }
    }

    /// <summary>
    /// Records an access to a buffer. A read before the buffer is written (on this path) needs its
    /// load; a write needs its store. Each keeps the flags common to all its accesses, so a buffer
    /// is loaded and stored only under the conditions that use it (Adam's max buffer without
    /// amsgrad, SGD's momentum on its first step: no memory traffic).
    /// </summary>
    private void Touch(string name, bool written)
    {
        if (!_parameters.TryGetValue(name, out RuleParameter? parameter) || !parameter.Role.IsBuffer())
        {
            return;
        }

        if (!_plan.Loaded.Contains(parameter))
        {
            _plan.Loaded.Add(parameter);
        }

        if (written)
        {
            Narrow(_plan.StoreGuards, name);
            _written.Add(name);
            if (!_plan.Stored.Contains(parameter))
            {
                _plan.Stored.Add(parameter);
            }
        }
        else if (!_written.Contains(name))
        {
            Narrow(_plan.Guards, name);
        }
    }

    private void Narrow(Dictionary<string, List<(int Flag, bool Value)>> guards, string name)
    {
        if (guards.TryGetValue(name, out List<(int Flag, bool Value)>? guard))
        {
            guard.RemoveAll(condition => !_guard.Contains(condition));
        }
        else
        {
            guards[name] = new List<(int, bool)>(_guard);
        }
    }

    /// <summary>Restores the written set to <paramref name="before"/> and returns what it was.</summary>
    private HashSet<string> Swap(HashSet<string> before)
    {
        var after = new HashSet<string>(_written);
        _written.Clear();
        _written.UnionWith(before);
        return after;
    }

    private static string Rename(string name, Dictionary<string, string> renames) =>
        renames.TryGetValue(name, out string? renamed) ? renamed : name;

    private ValueKind KindOfLocal(string name) => StmtTree.Locals(_plan.Rule.Body).FirstOrDefault(local => local.Name == name)?.Kind ?? ValueKind.Float;
}
