using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The stored loops: the rule's loops once more for tensors whose parameter, gradient or states are
// 16-bit, each buffer read and written through its storage type argument (KernelGen.Internal's
// Float32Storage, BFloat16Storage, Float16Storage), which widens exactly as it loads and rounds to
// nearest even as it stores. The float32 loops above stay as they are: a float32 tensor never runs
// these. Not for rules with per-tensor reductions (their sums take the whole tensor staged) and not
// on the portable target (no static abstract members).
internal sealed partial class KernelEmitter
{
    private const string StoredSuffix = "Stored";
    private const string StoredLengthField = "StoredLength";
    private const string StorageNamespace = "global::KernelGen.Internal.";
    private const string StateStorageType = "global::KernelGen.StateStorage";

    /// <summary>
    /// The storage combinations (parameter, gradient, states) with loops of their own: states in a
    /// 16-bit type beside float32 parameters; a 16-bit parameter with a float32 or same-typed gradient
    /// and float32 or same-typed states. The rest step staged, as does stochastic rounding. Few, since
    /// each is compiled for every flag combination (NativeAOT compiles all a dispatch can reach).
    /// </summary>
    private static readonly (string Parameter, string Gradient, string State)[] StoredCombinations =
    {
        ("Float32", "Float32", "BFloat16"),
        ("Float32", "Float32", "Float16"),
        ("BFloat16", "Float32", "Float32"),
        ("BFloat16", "BFloat16", "Float32"),
        ("BFloat16", "Float32", "BFloat16"),
        ("BFloat16", "BFloat16", "BFloat16"),
        ("Float16", "Float32", "Float32"),
        ("Float16", "Float16", "Float32"),
        ("Float16", "Float32", "Float16"),
        ("Float16", "Float16", "Float16"),
    };

    /// <summary>Whether this rule gets stored loops.</summary>
    private bool EmitsStoredLoops => !_portable && !HasReductions && !_rule.IsKernel;

    // The storage type parameters' names: TParamStorage, TGradientStorage, TStateStorage unless the rule takes them.
    private readonly string[] _storageParameters;

    private bool HasStates => Buffers.Any(b => b.Role == ParameterRole.State);

    /// <summary>The storage type parameters, in order: the parameter's, the gradient's, the states' (when the rule has states).</summary>
    private string[] StorageTypeParameters => HasStates
        ? new[] { _storageParameters[0], _storageParameters[1], _storageParameters[2] }
        : new[] { _storageParameters[0], _storageParameters[1] };

    /// <summary>The storage type parameter of a buffer.</summary>
    private string StorageOf(RuleParameter buffer) => buffer.Role switch
    {
        ParameterRole.Parameter => _storageParameters[0],
        ParameterRole.Gradient => _storageParameters[1],
        _ => _storageParameters[2],
    };

    private string StoredTypeParameters => "<" + string.Join(", ", StorageTypeParameters.Concat(_plan.Flags.Select(f => f.TypeParameter))) + ">";

    private string BytesField(RuleParameter buffer) => _plan.SpanFields[buffer.Name] + "Bytes";

    private void WriteStorageConstraints() => WriteStorageConstraints(StorageTypeParameters);

    private void WriteStorageConstraints(string[] storage)
    {
        foreach (string parameter in storage)
        {
            _w.Line($"    where {parameter} : struct, {StorageNamespace}IElementStorage");
        }
    }

    /// <summary>The argument fields the stored loops read: each buffer's bytes, and the element count.</summary>
    private void WriteStoredArgumentFields()
    {
        foreach (RuleParameter buffer in Buffers.Where(_plan.IsArgument))
        {
            _w.Line($"public global::System.Span<byte> {BytesField(buffer)};");
        }

        _w.Line($"public int {StoredLengthField};");
    }

    /// <summary>The dispatch over flags and paths, and the loops, with the storage type parameters first.</summary>
    private void WriteStoredMembers()
    {
        _w.Line();
        _w.Line("/// <summary>Runs the stored loops of <paramref name=\"" + _pathName + "\"/> on prepared arguments (buffers as bytes, in their storage types).</summary>");
        WriteOptimizedFromFirstCall();
        string storage = string.Join(", ", StorageTypeParameters);
        _w.Line($"private static void Dispatch{StoredSuffix}<{storage}>({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})");
        WriteStorageConstraints();
        using (_w.Block())
        {
            if (_plan.Flags.Count == 0)
            {
                _w.Line($"Run{StoredSuffix}<{storage}>({_pathName}, ref {_argsName});");
            }
            else
            {
                WriteUnswitchStep(0, StoredSuffix, StorageTypeParameters);
            }
        }

        WriteUnswitchMethods(StoredSuffix, StorageTypeParameters);
        WriteOptimizedFromFirstCall();
        _w.Line($"private static void Run{StoredSuffix}{StoredTypeParameters}({TypeNames.KernelPath} {_pathName}, ref {_argsType} {_argsName})");
        WriteStorageConstraints();
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            using (_w.Block($"switch ({_pathName})"))
            {
                foreach (int width in _widths)
                {
                    _w.Line($"case {TypeNames.KernelPath}.{TypeNames.PathName(width)}:");
                    _w.Line($"    {LoopName(width)}{StoredSuffix}{StoredTypeParameters}(ref {_argsName}, 0);");
                    _w.Line("    break;");
                }

                _w.Line("default:");
                _w.Line($"    LoopScalar{StoredSuffix}{StoredTypeParameters}(ref {_argsName}, 0);");
                _w.Line("    break;");
            }
        }

        foreach (int width in _widths)
        {
            _w.Line();
            WriteStoredLoop(width);
        }

        _w.Line();
        WriteStoredLoop(0);
    }

    /// <summary>
    /// A stored loop: the plain loop of its path (not software-pipelined: converting, it has work
    /// enough between divisions), loading and storing through the storage type arguments; width 0 is scalar.
    /// </summary>
    private void WriteStoredLoop(int width)
    {
        CSharpWriter writer = WriterFor(width);
        var names = new NameScope(_plan.Names);
        string start = names.Fresh("start");
        bool vector = width != 0;
        string name = (vector ? LoopName(width) : "LoopScalar") + StoredSuffix;
        string next = width > 128 ? $"Loop{width / 2}{StoredSuffix}" : $"LoopScalar{StoredSuffix}";
        string lanes = (width / 32).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _w.Line(vector
            ? $"/// <summary>The stored {TypeNames.PathName(width)} path from <paramref name=\"{start}\"/> on: {lanes} elements per iteration ({2 * width / 32} in pairs of vectors when every buffer is 16-bit); what is left goes to {next}.</summary>"
            : $"/// <summary>The stored scalar path, and the tail of the stored vector paths: elements from <paramref name=\"{start}\"/> on.</summary>");
        WriteOptimizedFromFirstCall();
        _w.Line($"private static void {name}{StoredTypeParameters}(ref {_argsType} {_argsName}, nuint {start})");
        WriteStorageConstraints();
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            var refs = new Dictionary<string, string>();
            foreach (RuleParameter buffer in _plan.Loaded)
            {
                string reference = names.Fresh(buffer.Name + "Ref");
                refs[buffer.Name] = reference;
                _w.Line($"ref byte {reference} = ref {TypeNames.MemoryMarshal}.GetReference({_argsName}.{BytesField(buffer)});");
            }

            if (vector)
            {
                WriteBroadcasts(writer);
            }
            else
            {
                foreach (Export export in _plan.Exports)
                {
                    _w.Line($"{CSharpWriter.Keyword(export.Kind)} {export.LoopName} = {_argsName}.{export.Field};");
                }
            }

            string length = names.Fresh("length");
            string i = names.Fresh("i");
            string suffix = vector ? width.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
            _w.Line($"nuint {length} = (nuint){_argsName}.{StoredLengthField};");
            // Vector paths round and store each iteration's results in the next one, after its loads and
            // arithmetic: the rounding then waits for no division or square root in flight, so it leaves
            // the out-of-order window to the next elements' work (different elements: the same bits).
            var deferred = new Dictionary<string, string>();
            string deferredAt = names.Fresh("deferredAt");
            string pending = names.Fresh("pending");
            if (vector)
            {
                _w.Line($"nuint {i} = {start};");
                // Before the loop's deferred values exist: they would hold registers through the paired loop.
                WritePairedStoredLoop(width, writer, names, refs, i, length);
                foreach (RuleParameter buffer in _plan.Stored)
                {
                    deferred[buffer.Name] = names.Fresh(buffer.Name + "Deferred");
                    _w.Line($"{writer.VectorType} {deferred[buffer.Name]} = {writer.VectorType}.Zero;");
                }

                _w.Line($"nuint {deferredAt} = 0;");
                _w.Line($"bool {pending} = false;");
            }

            using (_w.Block(vector ? $"for (; {i} + {lanes} <= {length}; {i} += {lanes})" : $"for (nuint {i} = {start}; {i} < {length}; {i}++)"))
            {
                foreach (RuleParameter buffer in _plan.Loaded)
                {
                    WriteLoad(buffer, vector ? writer.VectorType : "float", $"{StorageOf(buffer)}.Load{suffix}(ref {refs[buffer.Name]}, {i})", vector ? $"{writer.VectorType}.Zero" : "0f");
                }

                WriteBody(_plan.Body, writer);
                if (vector)
                {
                    WriteDeferredStores();
                    foreach (RuleParameter buffer in _plan.Stored)
                    {
                        _w.Line($"{deferred[buffer.Name]} = {buffer.Name};");
                    }

                    _w.Line($"{deferredAt} = {i};");
                    _w.Line($"{pending} = true;");
                }
                else
                {
                    foreach (RuleParameter buffer in _plan.Stored)
                    {
                        WriteStore(buffer, $"{StorageOf(buffer)}.Store({buffer.Name}, ref {refs[buffer.Name]}, {i});");
                    }
                }
            }

            void WriteDeferredStores()
            {
                using (_w.Block($"if ({pending})"))
                {
                    foreach (RuleParameter buffer in _plan.Stored)
                    {
                        WriteStore(buffer, $"{StorageOf(buffer)}.Store{suffix}({deferred[buffer.Name]}, ref {refs[buffer.Name]}, {deferredAt});");
                    }
                }
            }

            if (vector)
            {
                WriteDeferredStores();
                _w.Line();
                _w.Line("// The tail goes down the ladder, each element exactly once (as in the float32 loops).");
                _w.Line($"if ({i} < {length}) {next}{StoredTypeParameters}(ref {_argsName}, {i});");
            }
        }
    }

    /// <summary>
    /// The paired loop before a stored vector loop, for storage types whose elements pair into
    /// 32-bit words (every buffer 16-bit; the JIT folds the test): two vectors per iteration, the
    /// even elements in one and the odd in the other, so loads and stores convert without shuffles.
    /// Each runs the rule's body in a block of its own that loads its half itself (the words again:
    /// cheap, and nothing but the even results stays live into the odd half, which the JIT's 16
    /// vector registers need); the odd half stores both. What is left goes on to the loop after it.
    /// </summary>
    private void WritePairedStoredLoop(int width, CSharpWriter writer, NameScope names, Dictionary<string, string> refs, string i, string length)
    {
        string suffix = width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string step = (2 * width / 32).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string type = writer.VectorType;
        var loaded = _plan.Loaded.ToDictionary(b => b.Name, b => names.Fresh(b.Name + "Half"));
        var even = _plan.Stored.ToDictionary(b => b.Name, b => names.Fresh(b.Name + "Even"));
        _w.Comment("Every buffer 16-bit: two elements to a 32-bit word, so the loop takes them in pairs of vectors (even and");
        _w.Comment("odd elements), which widen with a shift or a mask and round back into words without a shuffle.");
        using (_w.Block($"if ({string.Join(" && ", StorageTypeParameters.Select(t => t + ".PairsInWords"))})"))
        {
            using (_w.Block($"for (; {i} + {step} <= {length}; {i} += {step})"))
            {
                foreach (RuleParameter buffer in _plan.Stored)
                {
                    _w.Line($"{type} {even[buffer.Name]} = {type}.Zero;");
                }

                for (int h = 0; h < 2; h++)
                {
                    using (_w.Block())
                    {
                        _w.Comment(h == 0 ? "the even elements" : "the odd elements, then both stored");
                        foreach (RuleParameter buffer in _plan.Loaded)
                        {
                            if (_plan.Guards.TryGetValue(buffer.Name, out List<(int Flag, bool Value)>? reads))
                            {
                                string? guard = GuardOf(reads);
                                string declared = guard is null ? $"{type} {loaded[buffer.Name]}" : loaded[buffer.Name];
                                string load = $"{StorageOf(buffer)}.LoadPair{suffix}(ref {refs[buffer.Name]}, {i}, {(h == 0 ? $"out {declared}, out _" : $"out _, out {declared}")});";
                                if (guard is not null)
                                {
                                    _w.Line($"{type} {loaded[buffer.Name]} = {type}.Zero;");
                                }

                                _w.Line(guard is null ? load : $"if ({guard}) {load}");
                            }

                            WriteLoad(buffer, type, loaded[buffer.Name], $"{type}.Zero");
                        }

                        WriteBody(_plan.Body, writer);
                        foreach (RuleParameter buffer in _plan.Stored)
                        {
                            WriteStore(buffer, h == 0
                                ? $"{even[buffer.Name]} = {buffer.Name};"
                                : $"{StorageOf(buffer)}.StorePair{suffix}({even[buffer.Name]}, {buffer.Name}, ref {refs[buffer.Name]}, {i});");
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The optimizer's hook for a tensor with 16-bit buffers: its combination of storage types picks
    /// the stored loops (false for a combination without them, which the optimizer then stages).
    /// </summary>
    private void WriteStoredStepMembers()
    {
        _w.Line();
        _w.Line("/// <inheritdoc/>");
        WriteOptimizedFromFirstCall();
        using (_w.Block($"protected override bool StepStoredTensor({TypeNames.ParameterTensor} tensor, {TypeNames.KernelPath} path, bool warm)"))
        {
            var seen = new HashSet<string>();
            using (_w.Block($"switch ((tensor.ParameterStorage, tensor.GradientStorage, tensor.StateStorage))"))
            {
                foreach ((string parameter, string gradient, string state) in StoredCombinations)
                {
                    string[] types = HasStates ? new[] { parameter, gradient, state } : new[] { parameter, gradient };
                    string arguments = string.Join(", ", types.Select(t => StorageNamespace + t + "Storage"));
                    if (!seen.Add(arguments))
                    {
                        continue; // without states, the states' type picks nothing
                    }

                    string statePattern = HasStates ? $"{StateStorageType}.{state}" : "_";
                    _w.Line($"case ({StateStorageType}.{parameter}, {StateStorageType}.{gradient}, {statePattern}):");
                    _w.Line($"    Step{StoredSuffix}<{arguments}>(tensor, path, warm);");
                    _w.Line("    return true;");
                }

                _w.Line("default:");
                _w.Line("    return false;");
            }
        }

        _w.Line();
        string storage = string.Join(", ", StorageTypeParameters);
        _w.Line("/// <summary>");
        _w.Line("/// One tensor through the stored loops: prepared as StepTensors prepares it; with <paramref name=\"warm\"/>");
        _w.Line("/// the loops run for every value of the flags the step and per-tensor state decide (as WarmKernels).");
        _w.Line("/// </summary>");
        WriteOptimizedFromFirstCall();
        _w.Line($"private void Step{StoredSuffix}<{storage}>({TypeNames.ParameterTensor} tensor, {TypeNames.KernelPath} path, bool warm)");
        WriteStorageConstraints();
        using (_w.Block())
        {
            using (_w.Block("if (tensor.Length == 0)"))
            {
                _w.Line("return; // No element, no call of the rule: per-tensor state stays as it is too.");
            }

            _w.Line($"{_argsType} {_argsName} = default;");
            _w.Line($"{_argsName}.{_plan.GradientMultiplier.Field} = GradientMultiplier;");
            _w.Line($"{_argsName}.{_plan.Flags[_plan.UnscaleFlag].Field} = GradientMultiplier != 1f;");
            _w.Line("int step = tensor.Step + 1;");
            int tensorState = 0;
            string uniforms = UniformArguments(u => u.Role == ParameterRole.Step ? "step" : u.PropertyName!, u => $"tensor.TensorState({tensorState++})");
            _w.Line($"Prepare(ref {_argsName}{(uniforms.Length == 0 ? "" : ", " + uniforms)});");
            int state = 0;
            foreach (RuleParameter buffer in Buffers)
            {
                string bytes = buffer.Role switch
                {
                    ParameterRole.Parameter => $"{StorageNamespace}StoredBuffers.Parameter(tensor)",
                    ParameterRole.Gradient => $"{StorageNamespace}StoredBuffers.Gradient(tensor)",
                    _ => $"{StorageNamespace}StoredBuffers.State(tensor, {state++})",
                };
                if (_plan.IsArgument(buffer))
                {
                    _w.Line($"{_argsName}.{BytesField(buffer)} = {bytes};");
                }
            }

            _w.Line($"{_argsName}.{StoredLengthField} = tensor.Length;");
            string dispatch = $"Dispatch{StoredSuffix}<{storage}>(path, ref {_argsName});";
            if (VariableFlags.Count == 0)
            {
                _w.Line(dispatch + " // (warm or not: the settings decide every flag)");
            }
            else
            {
                using (_w.Block("if (warm)"))
                {
                    WriteVariants(dispatch);
                }

                using (_w.Block("else"))
                {
                    _w.Line(dispatch);
                }
            }
        }
    }
}
