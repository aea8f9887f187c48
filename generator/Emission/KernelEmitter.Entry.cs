using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The entry points: Apply (checks, then the uniform prologue once and the loops), the two passes of a
// rule with reductions, the rule-by-element oracle ApplyWithRule, and the IR the interpreter reads.
internal sealed partial class KernelEmitter
{
    private void WriteIr()
    {
        _w.Line("/// <summary>The rule as the reference interpreter reads it (see docs/ir.md).</summary>");
        string[] lines = IrWriter.Write(_original).Split('\n');
        _w.Line("public const string RuleIr =");
        for (int i = 0; i < lines.Length; i++)
        {
            _w.Line($"    \"{lines[i]}{(i + 1 < lines.Length ? "\\n\" +" : "\";")}");
        }

        _w.Line();
        _w.Line($"private static {TypeNames.UpdateRule}? s_rule;");
        _w.Line();
        _w.Line("/// <inheritdoc/>");
        _w.Line($"public override {TypeNames.UpdateRule} Rule => s_rule ??= {TypeNames.UpdateRule}.Parse(RuleIr);");
        _w.Line();
    }

    private void WriteApply()
    {
        _w.Line("/// <summary>");
        _w.Line($"/// Applies the rule to whole tensors on <paramref name=\"{_pathName}\"/>. Uniform work runs once per call;");
        _w.Line("/// the loops do the per-element work. Lengths and overlaps are checked before anything is written.");
        _w.Line("/// </summary>");
        _w.Line($"/// <param name=\"{_pathName}\">The ISA path; <see cref=\"{TypeNames.KernelPath}.Auto\"/> takes the widest accelerated one.</param>");
        WriteParameterDocs();
        WriteOptimizedFromFirstCall();
        using (_w.Block($"public static void Apply({Signature(withPath: true)})"))
        {
            WriteValidation();
            _w.Line($"{_pathName} = {TypeNames.KernelDispatch}.Resolve({_pathName});");
            using (_w.Block($"if ({Param.Name}.IsEmpty)"))
            {
                _w.Line("return; // No element, no call of the rule: per-tensor state stays as it is too.");
            }

            _w.Line($"{_argsType} {_argsName} = default;");
            foreach (RuleParameter buffer in Buffers.Where(_plan.IsArgument))
            {
                _w.Line($"{_argsName}.{_plan.SpanFields[buffer.Name]} = {buffer.Name};");
            }

            string uniforms = UniformArguments(u => u.Name, u => u.Name);
            if (HasReductions)
            {
                _w.Line($"Execute({_pathName}, ref {_argsName}{(uniforms.Length == 0 ? "" : ", " + uniforms)});");
            }
            else
            {
                _w.Line($"Prepare(ref {_argsName}{(uniforms.Length == 0 ? "" : ", " + uniforms)});");
                _w.Line($"Dispatch({_pathName}, ref {_argsName});");
            }
        }

        _w.Line();
        if (HasReductions)
        {
            WriteExecute();
            _w.Line();
        }

        WritePrepare();
    }

    /// <summary>
    /// The two passes of a rule with per-tensor reductions; with <paramref name="suffix"/>, the warm-up's
    /// copy, whose passes run DispatchVariants.
    /// </summary>
    private void WriteExecute(string suffix = "")
    {
        _w.Line("/// <summary>");
        _w.Line("/// The rule needs per-tensor reductions: a reducing pass evaluates it on every element and");
        _w.Line($"/// writes nothing, summing in the canonical order (<see cref=\"{TypeNames.Reduction}\"/>);");
        _w.Line("/// then the update pass runs with the results known.");
        _w.Line("/// </summary>");
        string parameters = UniformParameters();
        if (suffix.Length == 0)
        {
            WriteOptimizedFromFirstCall();
        }

        using (_w.Block($"private static void Execute{suffix}({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName}{(parameters.Length == 0 ? "" : ", " + parameters)})"))
        {
            var copies = new Dictionary<string, string>();
            foreach (RuleParameter tensor in Uniforms.Where(u => u.Role == ParameterRole.TensorState))
            {
                copies[tensor.Name] = _plan.Names.Fresh(tensor.Name + "Before");
                _w.Line($"float {copies[tensor.Name]} = {tensor.Name}; // the reducing pass must not advance per-tensor state");
            }

            string zeros = string.Concat(_reductions.Select(_ => ", 0f"));
            string first = UniformArguments(u => u.Name, u => copies[u.Name]);
            _w.Line($"Prepare(ref {_argsName}{(first.Length == 0 ? "" : ", " + first)}{zeros}); // no operand depends on a reduction's result");
            _w.Line($"{_argsName}.Reducing = true;");
            _w.Line($"Dispatch{suffix}({_pathName}, ref {_argsName});");
            _w.Line($"{_argsName}.Reducing = false;");
            string results = string.Concat(_reductions.Select(r => r.IsNorm
                ? $", {TypeNames.MathF}.Sqrt({_argsName}.{r.SumField})"
                : $", {_argsName}.{r.SumField}"));
            string second = UniformArguments(u => u.Name, u => u.Name);
            _w.Line($"Prepare(ref {_argsName}{(second.Length == 0 ? "" : ", " + second)}{results});");
            _w.Line($"Dispatch{suffix}({_pathName}, ref {_argsName});");
        }
    }

    private void WritePrepare()
    {
        _w.Line("/// <summary>The rule's uniform part, in the rule's order: computed once per call, not once per element.</summary>");
        string parameters = UniformParameters() + string.Concat(_reductions.Select(r => $", float {r.ResultName}"));
        parameters = parameters.TrimStart(',', ' ');
        WriteOptimizedFromFirstCall();
        using (_w.Block($"private static void Prepare(ref {_argsType} {_argsName}{(parameters.Length == 0 ? "" : ", " + parameters)})"))
        {
            WritePrologue(_plan.Prologue);
        }
    }

    private void WritePrologue(List<PrologueStmt> statements)
    {
        foreach (PrologueStmt statement in statements)
        {
            switch (statement)
            {
                case RuleStmt { Statement: LocalStmt local }:
                    _w.Line(local.Initializer is null
                        ? $"{CSharpWriter.Keyword(local.Kind)} {local.Name};"
                        : $"{CSharpWriter.Keyword(local.Kind)} {local.Name} = {CSharpWriter.Scalar(local.Initializer)};");
                    break;
                case RuleStmt { Statement: AssignStmt assign }:
                    _w.Line($"{assign.Name} = {CSharpWriter.Scalar(assign.Value)};");
                    break;
                case ExportStmt export:
                    _w.Line($"{_argsName}.{export.Field} = {CSharpWriter.Scalar(export.Value)};{(export.Why is null ? "" : " // " + export.Why)}");
                    break;
                case PrologueIf ifStatement:
                    string condition = ifStatement.Flag is { } flag ? $"{_argsName}.{_plan.Flags[flag].Field}" : CSharpWriter.Scalar(ifStatement.Condition);
                    using (_w.Block($"if ({condition})"))
                    {
                        WritePrologue(ifStatement.Then);
                    }

                    if (ifStatement.Else.Count > 0)
                    {
                        using (_w.Block("else"))
                        {
                            WritePrologue(ifStatement.Else);
                        }
                    }

                    break;
            }
        }
    }

    private void WriteApplyWithRule()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Calls the scalar rule on each element in order: the oracle the kernels are checked against.");
        _w.Line("/// Per-tensor state is passed to each call as it was before the call, and takes the value the");
        _w.Line("/// last call computed.");
        _w.Line("/// </summary>");
        WriteParameterDocs();
        using (_w.Block($"public static void ApplyWithRule({Signature(withPath: false)})"))
        {
            WriteValidation();
            var names = new NameScope(_plan.Names);
            var tensorCopies = new Dictionary<string, string>();
            var tensorResults = new Dictionary<string, string>();
            foreach (RuleParameter tensor in _rule.Parameters.Where(p => p.Role == ParameterRole.TensorState))
            {
                tensorResults[tensor.Name] = names.Fresh(tensor.Name + "After");
                tensorCopies[tensor.Name] = names.Fresh(tensor.Name + "Copy");
                _w.Line($"float {tensorResults[tensor.Name]} = {tensor.Name};");
            }

            string i = names.Fresh("i");
            using (_w.Block($"for (int {i} = 0; {i} < {Param.Name}.Length; {i}++)"))
            {
                foreach (KeyValuePair<string, string> copy in tensorCopies)
                {
                    _w.Line($"float {copy.Value} = {copy.Key};");
                }

                string arguments = string.Join(", ", _rule.Parameters.Select(p => p.Role switch
                {
                    ParameterRole.Parameter or ParameterRole.State => $"ref {p.Name}[{i}]",
                    // Portable: read through a reference, as the loops do. Mono's class libraries declare
                    // ReadOnlySpan's indexer without the modifier .NET Standard's reference has, so a
                    // .NET Standard library that indexes one fails there with MissingMethodException.
                    ParameterRole.Gradient or ParameterRole.Input when _portable => $"{TypeNames.Unsafe}.Add(ref {TypeNames.MemoryMarshal}.GetReference({p.Name}), {i})",
                    ParameterRole.Gradient or ParameterRole.Input => $"{p.Name}[{i}]",
                    ParameterRole.TensorState => $"ref {tensorCopies[p.Name]}",
                    _ => p.Name,
                }));
                _w.Line($"{_rule.MethodName}({arguments});");
                foreach (KeyValuePair<string, string> copy in tensorCopies)
                {
                    _w.Line($"{tensorResults[copy.Key]} = {copy.Value};");
                }
            }

            foreach (KeyValuePair<string, string> result in tensorResults)
            {
                _w.Line($"{result.Key} = {result.Value};");
            }
        }
    }
}
