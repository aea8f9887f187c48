using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using KernelGen.Language;

namespace KernelGen.Generator.Analysis;

/// <summary>
/// Splits a rule's values into varying (one per element: the parameter, the gradient, state
/// buffers and everything computed from them) and uniform (one per step: hyper-parameters, the
/// step, per-tensor state and everything computed only from those). A local assigned under a
/// varying condition is varying, since its value then differs between lanes.
/// </summary>
internal sealed class Classifier
{
    private readonly HashSet<string> _varying = new();
    private readonly HashSet<string> _tensorStates = new();

    public Classifier(RuleModel rule)
    {
        foreach (RuleParameter parameter in rule.Parameters)
        {
            if (parameter.Role.IsBuffer())
            {
                _varying.Add(parameter.Name);
            }
            else if (parameter.Role == ParameterRole.TensorState)
            {
                _tensorStates.Add(parameter.Name);
            }
        }

        // Assignments can make a local varying after an earlier use: iterate to a fixed point.
        while (Propagate(rule.Body, underVaryingCondition: false))
        {
        }
    }

    public bool IsVarying(string name) => _varying.Contains(name);

    public bool IsVarying(Expr expression) => expression switch
    {
        NameExpr name => _varying.Contains(name.Name),
        CallExpr call when RuleFunctions.IsReduction(call.Function) => false, // one value per tensor
        _ => ExprTree.Children(expression).Any(IsVarying),
    };

    /// <summary>Whether a statement (or any statement nested in it) must run per element.</summary>
    public bool HasVaryingWork(Stmt statement) =>
        StmtTree.Flatten(new[] { statement }).Any(inner => inner is IfStmt ifStatement
            ? IsVarying(ifStatement.Condition)
            : _varying.Contains(StmtTree.TargetOf(inner)!));

    /// <summary>
    /// Reports what the classification forbids: helper methods called with varying arguments
    /// (they are inlined into the once-per-step part; what they would report then follows from
    /// that, so it waits until the arguments are fixed), varying ints, varying tensor state,
    /// varying functions that apply to uniform values only.
    /// </summary>
    public void Validate(RuleModel rule, SourceLocations locations, List<DiagnosticInfo> diagnostics)
    {
        int before = diagnostics.Count;
        foreach (HelperArgument argument in rule.HelperArguments)
        {
            if (IsVarying(argument.Value))
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.VaryingHelperArgument, locations.Of(argument),
                    new[] { argument.Helper, argument.Source }.ToEquatableArray()));
            }
        }

        if (diagnostics.Count == before)
        {
            Validate(rule.Body, locations, diagnostics);
        }
    }

    private void Validate(IEnumerable<Stmt> statements, SourceLocations locations, List<DiagnosticInfo> diagnostics, bool underVaryingCondition = false)
    {
        foreach (Stmt statement in statements)
        {
            if (VaryingInt(statement) is { } what)
            {
                // Lanes hold floats and masks; an int per element has no vector form.
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UnsupportedType, locations.Of(statement),
                    new[] { what, "int", " (an int cannot vary per element: use a float)" }.ToEquatableArray()));
            }

            if (StmtTree.ExpressionOf(statement) is { } expression)
            {
                ValidateCalls(expression, locations, diagnostics);
            }

            switch (statement)
            {
                case AssignStmt assign when _tensorStates.Contains(assign.Name) && (underVaryingCondition || IsVarying(assign.Value)):
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.VaryingTensorState, locations.Of(assign),
                        new[] { assign.Name, underVaryingCondition ? "under a condition that varies per element" : "a value that varies per element" }.ToEquatableArray()));
                    break;
                case IfStmt ifStatement:
                    bool varying = underVaryingCondition || IsVarying(ifStatement.Condition);
                    Validate(ifStatement.Then, locations, diagnostics, varying);
                    Validate(ifStatement.Else, locations, diagnostics, varying);
                    break;
            }
        }
    }

    /// <summary>The text of an int that would vary per element in this statement (not nested ones), or null.</summary>
    private string? VaryingInt(Stmt statement)
    {
        if (statement is LocalStmt { Kind: ValueKind.Int } intLocal && _varying.Contains(intLocal.Name))
        {
            return intLocal.Name;
        }

        Expr? value = StmtTree.ExpressionOf(statement);
        return value is not null && ExprTree.Descendants(value).Any(e => e.Kind == ValueKind.Int && IsVarying(e)) ? statement.Source : null;
    }

    private void ValidateCalls(Expr expression, SourceLocations locations, List<DiagnosticInfo> diagnostics)
    {
        foreach (CallExpr call in ExprTree.Descendants(expression).OfType<CallExpr>())
        {
            RuleFunctionInfo function = RuleFunctions.Of(call.Function);
            if (function.Domain == FunctionDomain.UniformOnly && IsVarying(call))
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.VaryingTranscendental, locations.Of(call),
                    new[] { function.CSharpName }.ToEquatableArray()));
            }
        }
    }

    private bool Propagate(IEnumerable<Stmt> statements, bool underVaryingCondition)
    {
        bool changed = false;
        foreach (Stmt statement in statements)
        {
            switch (statement)
            {
                case LocalStmt local when underVaryingCondition || (local.Initializer is { } init && IsVarying(init)):
                    changed |= _varying.Add(local.Name);
                    break;
                case AssignStmt assign when underVaryingCondition || IsVarying(assign.Value):
                    // A tensor state stays uniform: assigning it a varying value is reported, not propagated.
                    if (!_tensorStates.Contains(assign.Name))
                    {
                        changed |= _varying.Add(assign.Name);
                    }

                    break;
                case IfStmt ifStatement:
                    bool varying = underVaryingCondition || IsVarying(ifStatement.Condition);
                    changed |= Propagate(ifStatement.Then, varying);
                    changed |= Propagate(ifStatement.Else, varying);
                    break;
            }
        }

        return changed;
    }
}
