using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

/// <summary>
/// Writes the generated half of an optimizer class from its <see cref="KernelAnalysis"/>, deciding
/// nothing. One file per part of the output: the entry points <c>Apply</c> and <c>ApplyWithRule</c>
/// and the IR (Entry), the argument struct and the unswitch chain (Dispatch), the loops per ISA path
/// (Loops, Pipeline), the reducing pass (Reductions), and the <c>KernelGen.Optimizer</c> overrides
/// (Optimizer, Hyperparameters, Warm). This file holds the file's frame and what the parts share.
/// </summary>
internal sealed partial class KernelEmitter
{
    // The vector paths, widest first: the intrinsics' where the compilation has System.Runtime.Intrinsics,
    // else System.Numerics.Vector<T> (.NET Standard 2.1: Unity, Mono). Both end in the scalar loop.
    private static readonly int[] IntrinsicWidths = { 512, 256, 128 };
    private static readonly int[] PortableWidths = { CSharpWriter.VectorTWidth };

    private readonly int[] _widths;
    private readonly bool _portable;

    private readonly KernelPlan _plan;
    private readonly RuleModel _rule;
    private readonly RuleModel _original;
    private readonly List<ReductionInfo> _reductions;
    private readonly IndentedWriter _w = new();
    private readonly string _pathName;
    private readonly string _argsName;
    private readonly string _argsType;
    private readonly string _preparedType;
    private readonly string _preparedField;
    private readonly SoftwarePipeline? _pipeline;
    private readonly VectorAliases _vectors;
    private readonly bool _preparesOncePerStep;
    private readonly string _portableLaneSums;
    private readonly TargetFeatures _target;

    private KernelEmitter(KernelAnalysis analysis, TargetFeatures target)
    {
        _target = target;
        _portable = target.Portable;
        _widths = _portable ? PortableWidths : IntrinsicWidths;
        _plan = analysis.Plan;
        _rule = analysis.Plan.Rule;
        _original = analysis.Rule;
        _reductions = analysis.Reductions;
        _pipeline = analysis.Pipeline;
        _preparesOncePerStep = analysis.PreparesOncePerStep;
        _pathName = _plan.Names.Fresh("path");
        _argsName = _plan.Names.Fresh("args");
        _argsType = _plan.Names.Fresh("KernelArguments");
        _preparedType = _plan.Names.Fresh("PreparedUniforms");
        _preparedField = _plan.Names.Fresh("_preparedUniforms");
        _portableLaneSums = _portable ? _plan.Names.Fresh("PortableLaneSums") : "";
        // Members of the class are found before the file's aliases: the aliases avoid their names.
        _plan.Names.Reserve(_rule.ClassName);
        foreach (HyperparameterModel hyper in _rule.Hyperparameters)
        {
            _plan.Names.Reserve(hyper.PropertyName);
        }

        _vectors = new VectorAliases(_widths, _plan.Names);
        _storageParameters = new[] { _plan.Names.Fresh("TParamStorage"), _plan.Names.Fresh("TGradientStorage"), _plan.Names.Fresh("TStateStorage") };
    }

    /// <summary>The generated file.</summary>
    /// <param name="analysis">The analyzed rule.</param>
    /// <param name="target">
    /// What the target framework gives; without it, <see cref="TargetFeatures.Current"/>. For a
    /// portable target the loops are Vector&lt;T&gt; and scalar, and flags are read as
    /// <c>default(TFlag).Value</c>, since .NET Standard 2.1 has no static abstract members.
    /// </param>
    public static string Emit(KernelAnalysis analysis, TargetFeatures? target = null) => new KernelEmitter(analysis, target ?? TargetFeatures.Current).Write();

    /// <summary>The value of flag <paramref name="flag"/> inside a loop, as a condition.</summary>
    private string FlagValue(int flag) => FlagIs(flag, true);

    /// <summary>
    /// A condition that holds when flag <paramref name="flag"/> is <paramref name="value"/>. On .NET a
    /// type test (<c>typeof(TStepIsOne) == typeof(False)</c>), not <c>TStepIsOne.Value</c>: the JIT
    /// folds the test as it reads the method, before it inlines anything, so a loop's flag branches
    /// are gone before its locals are substituted into their uses, and a load used once becomes a
    /// memory operand as in gcc's loop (SGD's momentum buffer, read under two flags, stayed a
    /// separate load with <c>.Value</c>).
    /// </summary>
    private string FlagIs(int flag, bool value) => _portable
        ? $"{(value ? "" : "!")}default({_plan.Flags[flag].TypeParameter}).Value"
        : $"typeof({_plan.Flags[flag].TypeParameter}) == typeof({(value ? TypeNames.True : TypeNames.False)})";

    /// <summary>A writer of expressions on <paramref name="width"/> (0: scalar).</summary>
    private CSharpWriter WriterFor(int width) => new(width, FlagValue, _vectors, _target);

    /// <summary>Whether <paramref name="width"/> has its own reducing pass: Vector&lt;T&gt;'s lane count is the runtime's, so it reduces with the scalar pass.</summary>
    private static bool HasVectorReduce(int width) => width != CSharpWriter.VectorTWidth;

    /// <summary>
    /// Marks the next method to be compiled fully optimized at its first call. Not on a portable
    /// target: .NET Standard 2.1 does not name the option, and Mono and IL2CPP do not tier anyway.
    /// </summary>
    private void WriteOptimizedFromFirstCall()
    {
        if (!_portable)
        {
            _w.Line(TypeNames.OptimizedFromFirstCall);
        }
    }

    private bool HasReductions => _reductions.Count > 0;

    /// <summary>The portable form's method that gives the reducing pass its lane sums.</summary>
    private string PortableLaneSumsName => _portableLaneSums;

    private RuleParameter Param => _rule.Parameters.First(p => p.Role == ParameterRole.Parameter);

    private IEnumerable<RuleParameter> Buffers => _rule.Parameters.Where(p => p.Role.IsBuffer())
        .OrderBy(p => p.Role == ParameterRole.Parameter ? 0 : IsReadOnly(p) ? 1 : 2);

    private static bool IsReadOnly(RuleParameter buffer) => buffer.Role is ParameterRole.Gradient or ParameterRole.Input;

    private static string SpanType(RuleParameter buffer) => IsReadOnly(buffer) ? TypeNames.ReadOnlySpan : TypeNames.Span;

    private IEnumerable<RuleParameter> Uniforms => _rule.Parameters.Where(p => p.Role is ParameterRole.Hyperparameter)
        .Concat(_rule.Parameters.Where(p => p.Role == ParameterRole.Step))
        .Concat(_rule.Parameters.Where(p => p.Role == ParameterRole.TensorState));

    private string TypeParameters => _plan.Flags.Count == 0 ? "" : "<" + string.Join(", ", _plan.Flags.Select(f => f.TypeParameter)) + ">";

    private string Write()
    {
        _w.Line("// <auto-generated/>");
        _w.Line($"// KernelGen: fused kernels for the {(_rule.IsKernel ? "kernel" : "update rule")} {_rule.ClassName}.{_rule.MethodName}.");
        _w.Line("// Every path gives the bits that calling the rule element by element gives: no FMA contraction,");
        _w.Line("// no reciprocal for a division, no reordering. Change the rule, not this file.");
        _w.Line("#nullable enable");
        _w.Line();
        foreach (string alias in _vectors.Directives)
        {
            _w.Line(alias);
        }

        _w.Line();
        if (_rule.Namespace is null)
        {
            WriteClass();
        }
        else if (_portable)
        {
            // Unity compiles C# 9, which has no file-scoped namespace.
            using (_w.Block($"namespace {_rule.Namespace}"))
            {
                WriteClass();
            }
        }
        else
        {
            _w.Line($"namespace {_rule.Namespace};");
            _w.Line();
            WriteClass();
        }

        return _w.ToString();
    }

    private void WriteClass()
    {
        if (_rule.IsKernel)
        {
            WriteKernelClass();
            return;
        }

        using (_w.Block($"partial class {_rule.ClassName} : {TypeNames.Optimizer}"))
        {
            WriteIr();
            WriteMembers();
            _w.Line();
            WriteStepMembers();
            _w.Line();
            WriteWarmMembers();
            _w.Line();
            WriteHyperparameterMembers();
        }
    }

    /// <summary>The entry points, the argument struct, the dispatch and the loops: what an optimizer and a kernel share.</summary>
    private void WriteMembers()
    {
        WriteApply();
        _w.Line();
        if (!HasReductions)
        {
            WriteApplyWithRule();
            _w.Line();
        }

        WriteArguments();
        WriteDispatch();
        foreach (int width in _widths)
        {
            _w.Line();
            WriteVectorLoop(width);
        }

        _w.Line();
        WriteScalarLoop();
        if (EmitsStoredLoops)
        {
            WriteStoredMembers();
        }

        if (HasReductions)
        {
            foreach (int width in _widths.Where(HasVectorReduce))
            {
                _w.Line();
                WriteVectorReduce(width);
            }

            _w.Line();
            WriteScalarReduce();
            if (_portable)
            {
                _w.Line();
                WritePortableLaneSums();
            }
        }
    }

    private string Signature(bool withPath)
    {
        var parts = new List<string>();
        if (withPath)
        {
            parts.Add($"{TypeNames.KernelPath} {_pathName}");
        }

        foreach (RuleParameter buffer in Buffers)
        {
            parts.Add($"{SpanType(buffer)} {buffer.Name}");
        }

        foreach (RuleParameter uniform in Uniforms)
        {
            parts.Add(uniform.Role == ParameterRole.TensorState ? $"ref float {uniform.Name}" : $"{CSharpWriter.Keyword(uniform.Kind)} {uniform.Name}");
        }

        return string.Join(", ", parts);
    }

    private void WriteParameterDocs()
    {
        // A kernel's in the order the kernel declares them: its public entries take that order.
        foreach (RuleParameter parameter in _rule.IsKernel ? _rule.Parameters : Buffers.Concat(Uniforms))
        {
            string text = parameter.Role switch
            {
                ParameterRole.Parameter or ParameterRole.State when _rule.IsKernel => "Read and written element by element.",
                ParameterRole.Input => "Read element by element.",
                ParameterRole.Hyperparameter when _rule.IsKernel => "One value for every element.",
                ParameterRole.Parameter => "The parameters, updated in place.",
                ParameterRole.Gradient => "The gradient (read only).",
                ParameterRole.State => "Per-element state, updated in place.",
                ParameterRole.TensorState => "Per-tensor state, updated once per call.",
                ParameterRole.Step => "The step count, 1 on the first step.",
                _ => $"The hyper-parameter {parameter.PropertyName}.",
            };
            _w.Line($"/// <param name=\"{parameter.Name}\">{text}</param>");
        }
    }

    private void WriteValidation()
    {
        List<RuleParameter> buffers = Buffers.ToList();
        foreach (RuleParameter buffer in buffers.Where(b => b.Role != ParameterRole.Parameter))
        {
            _w.Line($"{TypeNames.Guard}.SameLength({Param.Name}.Length, {buffer.Name}.Length, nameof({buffer.Name}));");
        }

        for (int i = 0; i < buffers.Count; i++)
        {
            for (int j = i + 1; j < buffers.Count; j++)
            {
                _w.Line($"{TypeNames.Guard}.Disjoint({buffers[i].Name}, {buffers[j].Name}, nameof({buffers[i].Name}), nameof({buffers[j].Name}));");
            }
        }
    }

    private string UniformParameters() => string.Join(", ", Uniforms.Select(u =>
        u.Role == ParameterRole.TensorState ? $"ref float {u.Name}" : $"{CSharpWriter.Keyword(u.Kind)} {u.Name}"));

    /// <summary>The hyper-parameters, step and tensor states as arguments, in <see cref="Uniforms"/> order.</summary>
    private string UniformArguments(System.Func<RuleParameter, string> value, System.Func<RuleParameter, string> tensorState) =>
        string.Join(", ", Uniforms.Select(u => u.Role == ParameterRole.TensorState ? "ref " + tensorState(u) : value(u)));

    private void WriteConstraints(IEnumerable<Flag> flags)
    {
        foreach (Flag flag in flags)
        {
            _w.Line($"    where {flag.TypeParameter} : struct, {TypeNames.IFlag}");
        }
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
