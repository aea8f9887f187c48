using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The dispatch: the argument struct the loops read, each uniform flag turned into a type argument
// (one Unswitch step per flag), and the switch over ISA paths.
internal sealed partial class KernelEmitter
{
    private void WriteUnswitchStep(int flag)
    {
        string[] known = _plan.Flags.Take(flag).Select(f => f.TypeParameter).ToArray();
        string next = flag + 1 == _plan.Flags.Count ? "Run" : "Unswitch" + (flag + 1);
        string call(string value) => $"{next}<{string.Join(", ", known.Concat(new[] { value }))}>({_pathName}, ref {_argsName});";
        Flag current = _plan.Flags[flag];
        _w.Line($"if ({_argsName}.{current.Field}) {call(TypeNames.True)}");
        _w.Line($"else {call(TypeNames.False)}");
    }

    private void WriteDispatch()
    {
        _w.Line("/// <summary>Runs the loops of <paramref name=\"" + _pathName + "\"/> on prepared arguments.</summary>");
        WriteOptimizedFromFirstCall();
        using (_w.Block($"private static void Dispatch({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})"))
        {
            if (_plan.Flags.Count == 0)
            {
                _w.Line($"Run({_pathName}, ref {_argsName});");
            }
            else
            {
                _w.Line("// Each uniform condition becomes a type argument: the loops are compiled for the case at hand.");
                WriteUnswitchStep(0);
            }
        }

        _w.Line();
        for (int flag = 1; flag < _plan.Flags.Count; flag++)
        {
            string typeParameters = string.Join(", ", _plan.Flags.Take(flag).Select(f => f.TypeParameter));
            WriteOptimizedFromFirstCall();
            _w.Line($"private static void Unswitch{flag}<{typeParameters}>({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})");
            WriteConstraints(_plan.Flags.Take(flag));
            using (_w.Block())
            {
                WriteUnswitchStep(flag);
            }

            _w.Line();
        }

        if (_plan.Flags.Count > 0)
        {
            _w.Line("/// <summary>");
            foreach (Flag flag in _plan.Flags)
            {
                string condition = flag.Condition is null ? "the gradient carries a loss scale" : CSharpWriter.Scalar(flag.Condition);
                _w.Line($"/// <typeparamref name=\"{flag.TypeParameter}\"/>: <c>{Escape(condition)}</c>.");
            }

            _w.Line("/// </summary>");
        }

        WriteOptimizedFromFirstCall();
        _w.Line($"private static void Run{TypeParameters}({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})");
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            using (_w.Block($"switch ({_pathName})"))
            {
                foreach (int width in _widths)
                {
                    _w.Line($"case {TypeNames.KernelPath}.{TypeNames.PathName(width)}:");
                    if (HasReductions)
                    {
                        _w.Line(HasVectorReduce(width)
                            ? $"    if ({_argsName}.Reducing) Reduce{width}{TypeParameters}(ref {_argsName});"
                            : $"    if ({_argsName}.Reducing) {ScalarReduceCall}; // same order, element by element");
                        _w.Line($"    else {LoopName(width)}{TypeParameters}(ref {_argsName}, 0);");
                    }
                    else
                    {
                        _w.Line($"    {LoopName(width)}{TypeParameters}(ref {_argsName}, 0);");
                    }

                    _w.Line("    break;");
                }

                _w.Line("default:");
                if (HasReductions)
                {
                    _w.Line($"    if ({_argsName}.Reducing) {ScalarReduceCall};");
                    _w.Line($"    else LoopScalar{TypeParameters}(ref {_argsName}, 0);");
                }
                else
                {
                    _w.Line($"    LoopScalar{TypeParameters}(ref {_argsName}, 0);");
                }

                _w.Line("    break;");
            }
        }
    }

    private string ScalarReduceCall => _portable
        ? $"ReduceScalar{TypeParameters}(ref {_argsName}, 0, {PortableLaneSumsName}())"
        : $"ReduceScalar{TypeParameters}(ref {_argsName}, 0, stackalloc float[{ReductionArrayLength}])";

    private void WriteArguments()
    {
        _w.Line("/// <summary>What the loops read: the buffers and the uniform values computed once per call.</summary>");
        using (_w.Block($"private ref struct {_argsType}"))
        {
            foreach (RuleParameter buffer in Buffers.Where(_plan.IsArgument))
            {
                _w.Line($"public {SpanType(buffer)} {_plan.SpanFields[buffer.Name]};");
            }

            foreach (Export export in _plan.Exports)
            {
                _w.Line($"public {CSharpWriter.Keyword(export.Kind)} {export.Field};");
            }

            foreach (Flag flag in _plan.Flags)
            {
                _w.Line($"public bool {flag.Field};");
            }

            if (EmitsStoredLoops)
            {
                WriteStoredArgumentFields();
            }

            if (HasReductions)
            {
                _w.Line("public bool Reducing;");
                foreach (ReductionInfo reduction in _reductions)
                {
                    _w.Line($"public float {reduction.SumField};");
                }
            }
        }

        _w.Line();
    }
}
