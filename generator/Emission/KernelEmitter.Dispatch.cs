using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The dispatch: the argument struct the loops read, each uniform flag turned into a type argument
// (one Unswitch step per flag), and the switch over ISA paths.
internal sealed partial class KernelEmitter
{
    /// <summary>
    /// One step of the unswitch chain: the flag's value picks the next method's type argument.
    /// <paramref name="suffix"/> and <paramref name="storage"/> name the stored loops' chain and its
    /// leading storage type parameters ("" and none for the float32 chain).
    /// </summary>
    private void WriteUnswitchStep(int flag, string suffix, string[] storage)
    {
        string[] known = storage.Concat(_plan.Flags.Take(flag).Select(f => f.TypeParameter)).ToArray();
        string next = flag + 1 == _plan.Flags.Count ? "Run" + suffix : "Unswitch" + suffix + (flag + 1);
        string call(string value) => $"{next}<{string.Join(", ", known.Concat(new[] { value }))}>({_pathName}, ref {_argsName});";
        Flag current = _plan.Flags[flag];
        _w.Line($"if ({_argsName}.{current.Field}) {call(TypeNames.True)}");
        _w.Line($"else {call(TypeNames.False)}");
    }

    /// <summary>The methods Unswitch1 to UnswitchN (each fixes one more flag), each after a blank line, and a blank line after them.</summary>
    private void WriteUnswitchMethods(string suffix, string[] storage)
    {
        for (int flag = 1; flag < _plan.Flags.Count; flag++)
        {
            _w.Line();
            string typeParameters = string.Join(", ", storage.Concat(_plan.Flags.Take(flag).Select(f => f.TypeParameter)));
            WriteOptimizedFromFirstCall();
            _w.Line($"private static void Unswitch{suffix}{flag}<{typeParameters}>({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})");
            WriteStorageConstraints(storage);
            WriteConstraints(_plan.Flags.Take(flag));
            using (_w.Block())
            {
                WriteUnswitchStep(flag, suffix, storage);
            }
        }

        _w.Line();
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
                WriteUnswitchStep(0, "", System.Array.Empty<string>());
            }
        }

        WriteUnswitchMethods("", System.Array.Empty<string>());

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
