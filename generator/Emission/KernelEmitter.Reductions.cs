using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The reducing pass of a rule with per-tensor reductions: blocks of 16 elements summed lane by lane on
// every path, so each path sums in the same order, then the fixed combination.
internal sealed partial class KernelEmitter
{
    private int ReductionArrayLength => Reductions.BlockLanes * _reductions.Count;

    /// <summary>
    /// The reducing pass on Vector{width}: whole blocks of 16 elements, each vector of a block
    /// accumulating into the lanes it covers, so every path sums in the same order.
    /// </summary>
    private void WriteVectorReduce(int width)
    {
        CSharpWriter writer = WriterFor(width);
        var names = new NameScope(_plan.Names);
        int lanes = width / 32;
        int vectors = Reductions.BlockLanes / lanes;
        _w.Line($"/// <summary>The reducing pass on Vector{width}: blocks of {Reductions.BlockLanes} elements ({vectors} vector{(vectors == 1 ? "" : "s")}), then the scalar tail. Writes nothing.</summary>");
        WriteOptimizedFromFirstCall();
        _w.Line($"private static void Reduce{width}{TypeParameters}(ref {_argsType} {_argsName})");
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            Dictionary<string, string> refs = WriteRefs(names);
            WriteBroadcasts(writer);
            var accumulators = new string[_reductions.Count, vectors];
            for (int r = 0; r < _reductions.Count; r++)
            {
                for (int u = 0; u < vectors; u++)
                {
                    accumulators[r, u] = names.Fresh($"sum{r}Lanes{u * lanes}");
                    _w.Line($"{writer.VectorType} {accumulators[r, u]} = {writer.VectorType}.Zero;");
                }
            }

            string length = names.Fresh("length");
            string i = names.Fresh("i");
            _w.Line($"nuint {length} = (nuint){_argsName}.{_plan.SpanFields[Param.Name]}.Length;");
            _w.Line($"nuint {i} = 0;");
            using (_w.Block($"for (; {i} + {Reductions.BlockLanes} <= {length}; {i} += {Reductions.BlockLanes})"))
            {
                for (int u = 0; u < vectors; u++)
                {
                    string at = u == 0 ? i : $"{i} + {u * lanes}";
                    using (_w.Block())
                    {
                        _w.Comment($"lanes {u * lanes} to {u * lanes + lanes - 1} of the block");
                        foreach (RuleParameter buffer in _plan.Loaded)
                        {
                            WriteLoad(buffer, writer.VectorType, $"{writer.VectorClass}.LoadUnsafe(ref {refs[buffer.Name]}, {at})", $"{writer.VectorType}.Zero");
                        }

                        WriteBody(_plan.Body, writer);
                        for (int r = 0; r < _reductions.Count; r++)
                        {
                            string operand = _reductions[r].OperandLocal;
                            _w.Line($"{accumulators[r, u]} = {accumulators[r, u]} + {operand} * {operand};");
                        }
                    }
                }
            }

            _w.Line();
            string laneSums = names.Fresh("laneSums");
            _w.Line($"{TypeNames.Span} {laneSums} = stackalloc float[{ReductionArrayLength}];");
            for (int r = 0; r < _reductions.Count; r++)
            {
                for (int u = 0; u < vectors; u++)
                {
                    _w.Line($"{writer.VectorClass}.CopyTo({accumulators[r, u]}, {laneSums}.Slice({r * Reductions.BlockLanes + u * lanes}));");
                }
            }

            _w.Line($"ReduceScalar{TypeParameters}(ref {_argsName}, {i}, {laneSums}); // the tail, then the fixed combination");
        }
    }

    /// <summary>The portable form's lane sums: one array per thread, allocated once, cleared for each reducing pass.</summary>
    private void WritePortableLaneSums()
    {
        string field = _plan.Names.Fresh("t_laneSums");
        _w.Line("[global::System.ThreadStatic]");
        _w.Line($"private static float[]? {field};");
        _w.Line();
        _w.Line("/// <summary>The lane sums of a reducing pass: this thread's array, cleared (C# 9 cannot pass stack memory beside the arguments).</summary>");
        using (_w.Block($"private static {TypeNames.Span} {PortableLaneSumsName}()"))
        {
            _w.Line($"float[] sums = {field} ??= new float[{ReductionArrayLength}];");
            _w.Line("global::System.Array.Clear(sums, 0, sums.Length);");
            _w.Line("return sums;");
        }
    }

    /// <summary>The reducing pass element by element: the scalar path, and the tail of the vector paths.</summary>
    private void WriteScalarReduce()
    {
        CSharpWriter writer = WriterFor(0);
        var names = new NameScope(_plan.Names);
        string start = names.Fresh("start");
        string laneSums = names.Fresh("laneSums");
        _w.Line($"/// <summary>The reducing pass from <paramref name=\"{start}\"/> on: whole blocks of {Reductions.BlockLanes} into <paramref name=\"{laneSums}\"/> (lane i mod {Reductions.BlockLanes}), the rest into a tail in order. Writes nothing.</summary>");
        // C# 9 (Unity) has no scoped parameters, and without one stack memory cannot be passed beside
        // the arguments: the portable form takes a per-thread array instead (see PortableLaneSums).
        string scoped = _portable ? "" : "scoped ";
        WriteOptimizedFromFirstCall();
        _w.Line($"private static void ReduceScalar{TypeParameters}(ref {_argsType} {_argsName}, nuint {start}, {scoped}{TypeNames.Span} {laneSums})");
        WriteConstraints(_plan.Flags);
        using (_w.Block())
        {
            Dictionary<string, string> refs = WriteRefs(names);
            foreach (Export export in _plan.Exports)
            {
                _w.Line($"{CSharpWriter.Keyword(export.Kind)} {export.LoopName} = {_argsName}.{export.Field};");
            }

            var tails = _reductions.Select(r => names.Fresh($"tail{r.Index}")).ToArray();
            foreach (string tail in tails)
            {
                _w.Line($"float {tail} = 0f;");
            }

            string length = names.Fresh("length");
            string blocks = names.Fresh("blocks");
            string i = names.Fresh("i");
            _w.Line($"nuint {length} = (nuint){_argsName}.{_plan.SpanFields[Param.Name]}.Length;");
            _w.Line($"nuint {blocks} = {length} / {Reductions.BlockLanes} * {Reductions.BlockLanes};");
            using (_w.Block($"for (nuint {i} = {start}; {i} < {length}; {i}++)"))
            {
                foreach (RuleParameter buffer in _plan.Loaded)
                {
                    WriteLoad(buffer, "float", $"{TypeNames.Unsafe}.Add(ref {refs[buffer.Name]}, {i})", "0f");
                }

                WriteBody(_plan.Body, writer);
                for (int r = 0; r < _reductions.Count; r++)
                {
                    string operand = _reductions[r].OperandLocal;
                    _w.Line($"if ({i} < {blocks}) {laneSums}[{r * Reductions.BlockLanes} + (int)({i} % {Reductions.BlockLanes})] += {operand} * {operand};");
                    _w.Line($"else {tails[r]} += {operand} * {operand};");
                }
            }

            for (int r = 0; r < _reductions.Count; r++)
            {
                _w.Line($"{_argsName}.{_reductions[r].SumField} = {TypeNames.Reduction}.Combine({laneSums}.Slice({r * Reductions.BlockLanes}, {Reductions.BlockLanes}), {tails[r]});");
            }
        }
    }
}
