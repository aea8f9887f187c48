using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The warm-up hook (Optimizer.Warm): StepTensors' work on scratch tensors, with the loops run for every
// value of each flag that the step or per-tensor state decides, so that every instantiation a later step
// can take is compiled. The flags the settings decide keep the value Prepare gives them, as in a step.
internal sealed partial class KernelEmitter
{
    private const string VariantsSuffix = "Variants";

    /// <summary>
    /// The flags whose condition reads more than hyper-parameters (the step, per-tensor state, or a
    /// value computed from them): a later step may give them either value.
    /// </summary>
    private List<Flag> VariableFlags
    {
        get
        {
            var settings = new HashSet<string>(_rule.Parameters.Where(p => p.Role == ParameterRole.Hyperparameter).Select(p => p.Name));
            return _plan.Flags.Where(flag => flag.Condition is not null && !ExprTree.Names(flag.Condition).All(settings.Contains)).ToList();
        }
    }

    private void WriteWarmMembers()
    {
        _w.Line("/// <inheritdoc/>");
        using (_w.Block($"protected override void WarmKernels({TypeNames.ParameterTensors} tensors, {TypeNames.KernelPath} path)"))
        {
            WriteTensorsBody(warm: true);
        }

        _w.Line();
        List<Flag> variable = VariableFlags;
        _w.Line("/// <summary>");
        _w.Line(variable.Count == 0
            ? "/// For WarmKernels: the loops for the flags as prepared (the settings decide every one)."
            : "/// For WarmKernels: the loops for every value of the flags the step and per-tensor state decide; the");
        if (variable.Count > 0)
        {
            _w.Line("/// settings decide the others, as prepared.");
        }

        _w.Line("/// </summary>");
        using (_w.Block($"private static void Dispatch{VariantsSuffix}({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})"))
        {
            WriteVariants($"Dispatch({_pathName}, ref {_argsName});");
        }

        if (HasReductions)
        {
            _w.Line();
            WriteExecute(VariantsSuffix);
        }
    }

    /// <summary><paramref name="dispatch"/> for every value of the flags the step and per-tensor state decide (once when none does).</summary>
    private void WriteVariants(string dispatch)
    {
        List<Flag> variable = VariableFlags;
        if (variable.Count == 0)
        {
            _w.Line(dispatch);
            return;
        }

        using (_w.Block($"for (int variant = 0; variant < {1 << variable.Count}; variant++)"))
        {
            for (int bit = 0; bit < variable.Count; bit++)
            {
                _w.Line($"{_argsName}.{variable[bit].Field} = (variant & {1 << bit}) != 0; // {CSharpWriter.Scalar(variable[bit].Condition!)}");
            }

            _w.Line(dispatch);
        }
    }
}
