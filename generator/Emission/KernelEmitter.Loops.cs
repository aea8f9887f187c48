using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The loops, one per ISA path: the planned body, each buffer loaded where it is first named (only under
// the flags that read it) and stored once final (only under the flags that write it); each vector path
// hands its tail to the next narrower one.
internal sealed partial class KernelEmitter
{
    /// <summary>The loop of a vector path: <c>Loop256</c>, <c>LoopVectorT</c>.</summary>
    private static string LoopName(int width) => "Loop" + (width == CSharpWriter.VectorTWidth ? "VectorT" : width.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private void WriteRuleEcho()
    {
        _w.Comment("The rule, applied here to every element:");
        _w.Comment(_rule.RuleSource);
    }

    private Dictionary<string, string> WriteRefs(NameScope names)
    {
        var refs = new Dictionary<string, string>();
        foreach (RuleParameter buffer in _plan.Loaded)
        {
            string name = names.Fresh(buffer.Name + "Ref");
            refs[buffer.Name] = name;
            _w.Line($"ref float {name} = ref {TypeNames.MemoryMarshal}.GetReference({_argsName}.{_plan.SpanFields[buffer.Name]});");
        }

        return refs;
    }

    private void WriteVectorLoop(int width)
    {
        CSharpWriter writer = WriterFor(width);
        var names = new NameScope(_plan.Names);
        bool vectorT = width == CSharpWriter.VectorTWidth;
        string lanes = vectorT ? $"(nuint){writer.VectorType}.Count" : (width / 32).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string start = names.Fresh("start");
        string next = width > 128 ? $"Loop{width / 2}" : "LoopScalar";
        string perIteration = vectorT ? "Vector<float>.Count" : lanes;
        _w.Line($"/// <summary>The {TypeNames.PathName(width)} path from <paramref name=\"{start}\"/> on: {Escape(perIteration)} elements per iteration; what is left goes to {next}.</summary>");
        WriteOptimizedFromFirstCall();
        _w.Line($"private static void {LoopName(width)}{TypeParameters}(ref {_argsType} {_argsName}, nuint {start})");
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            WriteRuleEcho();
            Dictionary<string, string> refs = WriteRefs(names);
            WriteBroadcasts(writer);

            string length = names.Fresh("length");
            string i = names.Fresh("i");
            _w.Line($"nuint {length} = (nuint){_argsName}.{_plan.SpanFields[Param.Name]}.Length;");
            _w.Line($"nuint {i} = {start};");
            // Vector<T> is not software-pipelined: where it is not accelerated its calls dominate anyway.
            if (_pipeline is not null && !vectorT)
            {
                WritePipelinedLoop(_pipeline, writer, width, names, refs, i, length);
                _w.Line();
            }

            // The loop compares the index with where its last whole vector ends, computed once: an
            // add, a compare and a branch per iteration, as gcc's loop, not a fourth for i + lanes.
            string end = names.Fresh("end");
            _w.Line($"nuint {end} = {i} + ({length} - {i}) / {lanes} * {lanes};");
            using (_w.Block($"for (; {i} < {end}; {i} += {lanes})"))
            {
                WriteIteration(
                    writer,
                    buffer => WriteLoad(buffer, writer.VectorType, $"{writer.VectorClass}.LoadUnsafe(ref {refs[buffer.Name]}, {i})", $"{writer.VectorType}.Zero"),
                    buffer => WriteStore(buffer, $"{writer.VectorClass}.StoreUnsafe({buffer.Name}, ref {refs[buffer.Name]}, {i});"));
            }

            _w.Line();
            // A narrower vector is accelerated wherever this one is: a short tail still runs on vectors.
            if (vectorT)
            {
                _w.Line("// State is read, modified and written: the tail must not overlap the last vector, so it goes");
                _w.Line("// element by element, each element exactly once.");
            }
            else
            {
                _w.Line("// State is read, modified and written: the tail must not overlap the last vector, so it goes down");
                _w.Line("// the ladder (half-width vectors, then element by element), each element exactly once. A length the");
                _w.Line("// vectors divide (the usual tensor) calls nothing more.");
            }
            _w.Line($"if ({i} < {length}) {next}{TypeParameters}(ref {_argsName}, {i});");
        }
    }

    /// <summary>Each uniform value the loops read, broadcast to a vector once before the loop.</summary>
    private void WriteBroadcasts(CSharpWriter writer)
    {
        foreach (Export export in _plan.Exports)
        {
            _w.Line(export.Kind == ValueKind.Bool
                ? $"{writer.VectorType} {export.LoopName} = {_argsName}.{export.Field} ? {writer.AllBitsSet} : {writer.VectorType}.Zero;"
                : $"{writer.VectorType} {export.LoopName} = {writer.VectorClass}.Create({_argsName}.{export.Field});");
        }
    }

    private void WriteScalarLoop()
    {
        CSharpWriter writer = WriterFor(0);
        var names = new NameScope(_plan.Names);
        string start = names.Fresh("start");
        _w.Line($"/// <summary>The scalar path, and the tail of the vector paths: elements from <paramref name=\"{start}\"/> on.</summary>");
        WriteOptimizedFromFirstCall();
        _w.Line($"private static void LoopScalar{TypeParameters}(ref {_argsType} {_argsName}, nuint {start})");
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            WriteRuleEcho();
            Dictionary<string, string> refs = WriteRefs(names);
            foreach (Export export in _plan.Exports)
            {
                _w.Line($"{CSharpWriter.Keyword(export.Kind)} {export.LoopName} = {_argsName}.{export.Field};");
            }

            string length = names.Fresh("length");
            string i = names.Fresh("i");
            _w.Line($"nuint {length} = (nuint){_argsName}.{_plan.SpanFields[Param.Name]}.Length;");
            using (_w.Block($"for (nuint {i} = {start}; {i} < {length}; {i}++)"))
            {
                WriteIteration(
                    writer,
                    buffer => WriteLoad(buffer, "float", $"{TypeNames.Unsafe}.Add(ref {refs[buffer.Name]}, {i})", "0f"),
                    buffer => WriteStore(buffer, $"{TypeNames.Unsafe}.Add(ref {refs[buffer.Name]}, {i}) = {buffer.Name};"));
            }
        }
    }

    /// <summary>One iteration of a plain loop: the body, each buffer loaded and stored where the plan placed it (<see cref="KernelPlan.LoadBefore"/>, <see cref="KernelPlan.StoreAfter"/>).</summary>
    private void WriteIteration(CSharpWriter writer, System.Action<RuleParameter> writeLoad, System.Action<RuleParameter> writeStore)
    {
        List<LoopStmt> body = _plan.Body;
        for (int k = 0; k < System.Math.Max(1, body.Count); k++)
        {
            foreach (RuleParameter buffer in _plan.Loaded.Where(buffer => _plan.LoadBefore[buffer.Name] == k))
            {
                writeLoad(buffer);
            }

            if (k < body.Count)
            {
                WriteBody(new List<LoopStmt> { body[k] }, writer);
            }

            foreach (RuleParameter buffer in _plan.Stored.Where(buffer => _plan.StoreAfter[buffer.Name] == k))
            {
                writeStore(buffer);
            }
        }
    }

    /// <summary>The flags a buffer's accesses all sit under, as a C# condition (null when none).</summary>
    private string? GuardOf(List<(int Flag, bool Value)> guard) =>
        guard.Count == 0
            ? null
            : string.Join(" && ", guard.Select(g => FlagIs(g.Flag, g.Value)));

    private void WriteLoad(RuleParameter buffer, string type, string load, string zero) => WriteLoad(buffer, buffer.Name, type, load, zero);

    private void WriteLoad(RuleParameter buffer, string name, string type, string load, string zero)
    {
        if (!_plan.Guards.TryGetValue(buffer.Name, out List<(int Flag, bool Value)>? reads))
        {
            _w.Line($"{type} {name} = {zero}; // written before it is read: not loaded");
            return;
        }

        string? guard = GuardOf(reads);
        _w.Line(guard is null ? $"{type} {name} = {load};" : $"{type} {name} = {guard} ? {load} : {zero};");
        if (buffer.Role == ParameterRole.Gradient)
        {
            _w.Line($"if ({FlagValue(_plan.UnscaleFlag)}) {name} = {name} * {_plan.GradientMultiplier.LoopName}; // loss scaling: unscaled as loaded");
        }
    }

    private void WriteStore(RuleParameter buffer, string store)
    {
        string? guard = GuardOf(_plan.StoreGuards[buffer.Name]);
        _w.Line(guard is null ? store : $"if ({guard}) {store}");
    }

    private void WriteBody(List<LoopStmt> statements, CSharpWriter writer)
    {
        foreach (LoopStmt statement in statements)
        {
            switch (statement)
            {
                case LoopLocal { Value: null } local:
                    string zero = writer.IsVector ? writer.VectorType + ".Zero" : local.Kind == ValueKind.Bool ? "false" : "0f";
                    _w.Line($"{writer.TypeOf(local.Kind)} {local.Name} = {zero};");
                    break;
                case LoopLocal local:
                    _w.Line($"{writer.TypeOf(local.Kind)} {local.Name} = {writer.Write(local.Value)};");
                    break;
                case LoopAssign assign:
                    _w.Line($"{assign.Name} = {writer.Write(assign.Value)};");
                    break;
                case LoopFlagIf flagIf:
                    if (flagIf.Then.Count == 0)
                    {
                        using (_w.Block($"if ({FlagIs(flagIf.Flag, false)})"))
                        {
                            WriteBody(flagIf.Else, writer);
                        }

                        break;
                    }

                    using (_w.Block($"if ({FlagValue(flagIf.Flag)})"))
                    {
                        WriteBody(flagIf.Then, writer);
                    }

                    if (flagIf.Else.Count > 0)
                    {
                        using (_w.Block("else"))
                        {
                            WriteBody(flagIf.Else, writer);
                        }
                    }

                    break;
                case LoopBlock block:
                    using (_w.Block())
                    {
                        _w.Comment(block.Comment);
                        WriteBody(block.Statements, writer);
                    }

                    break;
            }
        }
    }
}
