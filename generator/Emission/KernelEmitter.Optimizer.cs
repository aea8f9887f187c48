using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The KernelGen.Optimizer overrides that step tensors: the kernels over the optimizer's tensors, and
// the rule element by element for the checks.
internal sealed partial class KernelEmitter
{
    private string TensorArguments(string tensor, string step)
    {
        var parts = new List<string>();
        int state = 0;
        foreach (RuleParameter buffer in Buffers)
        {
            parts.Add(buffer.Role switch
            {
                ParameterRole.Parameter => $"{tensor}.Parameter.Span",
                ParameterRole.Gradient => $"{tensor}.Gradient.Span",
                _ => $"{tensor}.State({state++})",
            });
        }

        int tensorState = 0;
        foreach (RuleParameter uniform in Uniforms)
        {
            parts.Add(uniform.Role switch
            {
                ParameterRole.Hyperparameter => uniform.PropertyName!,
                ParameterRole.Step => step,
                _ => $"ref {tensor}.TensorState({tensorState++})",
            });
        }

        return string.Join(", ", parts);
    }

    /// <summary>
    /// The argument fields Prepare writes, with their C# types: every uniform value but the gradient
    /// multiplier and its flag, which StepTensors sets itself before the tensors.
    /// </summary>
    private IEnumerable<(string Field, string Type)> PreparedFieldTypes =>
        _plan.Exports.Where(export => export.Field != _plan.GradientMultiplier.Field)
            .Select(export => (export.Field, CSharpWriter.Keyword(export.Kind)))
            .Concat(_plan.Flags.Where(flag => flag != _plan.Flags[_plan.UnscaleFlag]).Select(flag => (flag.Field, "bool")));

    private IEnumerable<string> PreparedFields => PreparedFieldTypes.Select(f => f.Field);

    /// <summary>Whether the optimizer keeps its step's uniform part for per-tensor steps: only when Prepare writes any.</summary>
    private bool KeepsPreparedUniforms => _preparesOncePerStep && PreparedFields.Any();

    /// <summary>
    /// Prepare once for the tensors at one step count. A per-tensor step (BeginStep, StepTensor,
    /// EndStep) calls StepTensors once per tensor: the uniform part kept for the open step is
    /// copied back instead of computed again.
    /// </summary>
    private void WritePrepareOncePerStep(string prepare)
    {
        using (_w.Block("if (step != prepared)"))
        {
            if (!KeepsPreparedUniforms)
            {
                _w.Line(prepare);
                _w.Line("prepared = step;");
                return;
            }

            using (_w.Block("if (ReusesPreparedUniforms(step))"))
            {
                WriteCopies(_argsName, _preparedField);
            }

            using (_w.Block("else"))
            {
                _w.Line(prepare);
                using (_w.Block("if (KeepsPreparedUniforms(step))"))
                {
                    WriteCopies(_preparedField, _argsName);
                }
            }

            _w.Line("prepared = step;");
        }

        void WriteCopies(string to, string from)
        {
            foreach (string field in PreparedFields)
            {
                _w.Line($"{to}.{field} = {from}.{field};");
            }
        }
    }

    /// <summary>
    /// The body of StepTensors; with <paramref name="warm"/>, of WarmKernels: every tensor prepared
    /// again (nothing kept for a per-tensor step the optimizer may have open on another thread), and
    /// the loops run for every value of the flags the step and per-tensor state decide.
    /// </summary>
    private void WriteTensorsBody(bool warm)
    {
        _w.Line($"{_argsType} {_argsName} = default;");
        _w.Line($"{_argsName}.{_plan.GradientMultiplier.Field} = GradientMultiplier;");
        _w.Line($"{_argsName}.{_plan.Flags[_plan.UnscaleFlag].Field} = GradientMultiplier != 1f;");
        if (_preparesOncePerStep && !warm)
        {
            _w.Line("int prepared = 0; // The uniform part depends on the step only: computed once for tensors at the same step.");
        }

        using (_w.Block($"foreach ({TypeNames.ParameterTensor} tensor in tensors)"))
        {
            using (_w.Block("if (tensor.Length == 0)"))
            {
                _w.Line("continue;");
            }

            _w.Line("int step = tensor.Step + 1;");
            int state = 0;
            int tensorState = 0;
            var stateIndex = new Dictionary<string, int>();
            foreach (RuleParameter buffer in Buffers)
            {
                if (buffer.Role == ParameterRole.State)
                {
                    stateIndex[buffer.Name] = state++;
                }
            }

            string uniforms = UniformArguments(u => u.Role == ParameterRole.Step ? "step" : u.PropertyName!, u => $"tensor.TensorState({tensorState++})");
            string prepare = $"Prepare(ref {_argsName}{(uniforms.Length == 0 ? "" : ", " + uniforms)});";
            if (_preparesOncePerStep && !warm)
            {
                WritePrepareOncePerStep(prepare);
            }
            else if (!HasReductions)
            {
                _w.Line(prepare);
            }

            // (With reductions, Execute prepares each tensor's two passes itself.)

            foreach (RuleParameter buffer in Buffers.Where(_plan.IsArgument))
            {
                string span = buffer.Role switch
                {
                    ParameterRole.Parameter => "tensor.Parameter.Span",
                    ParameterRole.Gradient => "tensor.Gradient.Span",
                    _ => $"tensor.State({stateIndex[buffer.Name]})",
                };
                _w.Line($"{_argsName}.{_plan.SpanFields[buffer.Name]} = {span};");
            }

            string suffix = warm ? VariantsSuffix : "";
            _w.Line(HasReductions
                ? $"Execute{suffix}(path, ref {_argsName}{(uniforms.Length == 0 ? "" : ", " + uniforms)});"
                : $"Dispatch{suffix}(path, ref {_argsName});");
        }
    }

    /// <summary>The optimizer's step over its tensors (the kernels), and the rule-by-element step it is checked against.</summary>
    private void WriteStepMembers()
    {
        _w.Line("/// <inheritdoc/>");
        WriteOptimizedFromFirstCall();
        using (_w.Block($"protected override void StepTensors({TypeNames.ParameterTensors} tensors, {TypeNames.KernelPath} path)"))
        {
            _w.Line("// Registration checked lengths and overlaps; hyper-parameters were validated by Step.");
            WriteTensorsBody(warm: false);
        }

        if (KeepsPreparedUniforms)
        {
            _w.Line();
            _w.Line("/// <summary>The uniform part computed for the open per-tensor step (see StepTensors).</summary>");
            _w.Line($"private {_preparedType} {_preparedField};");
            _w.Line();
            _w.Line("/// <summary>The uniform values of the arguments, kept from one tensor of a per-tensor step to the next.</summary>");
            using (_w.Block($"private struct {_preparedType}"))
            {
                foreach ((string field, string type) in PreparedFieldTypes)
                {
                    _w.Line($"public {type} {field};");
                }
            }
        }

        _w.Line();
        _w.Line("/// <inheritdoc/>");
        _w.Line($"protected override void StepTensorWithRule({TypeNames.ParameterTensor} tensor, int step) =>");
        _w.Line(HasReductions
            ? $"    throw new {TypeNames.NotSupportedException}(\"The rule takes per-tensor reductions, which have no value for one element: check it with StepWithInterpreter.\");"
            : $"    ApplyWithRule({TensorArguments("tensor", "step")});");
        if (EmitsStoredLoops)
        {
            WriteStoredStepMembers();
        }
    }
}
