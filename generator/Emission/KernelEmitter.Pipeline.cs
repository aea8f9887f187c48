using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Analysis;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The software-pipelined loop of a vector path (see SoftwarePipeline): a prologue that starts the
// first blocks, a loop whose iteration runs every stage once, each on another block (the last
// stage on the oldest block first, so the divider receives operations whose inputs are ready),
// and an epilogue that finishes the blocks in flight. Values a later stage reads are carried in
// variables, one per stage that reads them; a stage copies its carried values one stage on
// before the next block's earlier stage overwrites them.
internal sealed partial class KernelEmitter
{
    private static string LaneSuffix(int lane) => ((char)('A' + lane)).ToString();

    private void WritePipelinedLoop(SoftwarePipeline pipeline, CSharpWriter writer, int width, NameScope names, Dictionary<string, string> refs, string i, string length)
    {
        int lanes = width / 32;
        int block = SoftwarePipeline.Unroll * lanes;
        int stages = pipeline.Stages;
        Dictionary<string, PipelineValue> byName = pipeline.Values.ToDictionary(v => v.Name);
        var local = new Dictionary<(string Value, int Lane), string>();
        var carried = new Dictionary<(string Value, int Stage, int Lane), string>();
        var declarations = new List<string>(); // in this order, so the output is stable
        foreach (PipelineValue value in pipeline.Values)
        {
            for (int lane = 0; lane < SoftwarePipeline.Unroll; lane++)
            {
                local[(value.Name, lane)] = names.Fresh(value.Name + LaneSuffix(lane));
                for (int stage = value.Stage + 1; stage <= value.LastUse; stage++)
                {
                    // Named after the stage that reads it, counted from 1 as in the comments.
                    string name = names.Fresh($"{value.Name}{LaneSuffix(lane)}_s{stage + 1}");
                    carried[(value.Name, stage, lane)] = name;
                    declarations.Add($"{writer.TypeOf(value.Kind)} {name} = {writer.VectorType}.Zero;");
                }
            }
        }

        _w.Comment($"Software-pipelined in {stages} stages, cut before each division or square root that waits for another:");
        _w.Comment("an iteration runs every stage once, each on another block, so the divider gets independent work.");
        _w.Comment("The same operations on the same values as the loop below: the same bits. Past the caches memory is");
        _w.Comment("the limit and the plain loop is faster: pipelined while a call moves at most KernelTuning.PipelinedBytes.");
        _w.Comment($"The pipeline keeps {pipeline.VectorRegisters} vectors in registers (uniforms, carried values, one per block): on a machine");
        _w.Comment("with too few the JIT spills in every iteration and the plain loop is faster. The JIT folds the test.");
        using (_w.Block($"if ({TypeNames.KernelTuning}.Pipelines({pipeline.VectorRegisters}) && {length} - {i} >= {stages * block} && {length} - {i} <= (nuint)({TypeNames.KernelTuning}.PipelinedBytes / {BytesPerElement()}))"))
        {
            _w.Comment($"Values a later stage reads, one variable per stage that reads them; blocks of {SoftwarePipeline.Unroll} vectors (A, B).");
            foreach (string declaration in declarations)
            {
                _w.Line(declaration);
            }

            _w.Line();
            _w.Comment($"Prologue: the first {Blocks(stages - 1)} go through their first stages.");
            for (int round = 0; round < stages - 1; round++)
            {
                for (int stage = round; stage >= 0; stage--)
                {
                    WriteStage(stage, round - stage);
                }
            }

            _w.Line();
            using (_w.Block($"for (; {i} + {stages * block} <= {length}; {i} += {block})"))
            {
                for (int stage = stages - 1; stage >= 0; stage--)
                {
                    WriteStage(stage, stages - 1 - stage);
                }
            }

            _w.Line();
            _w.Comment($"Epilogue: the {Blocks(stages - 1)} in flight go through their last stages.");
            for (int round = 1; round < stages; round++)
            {
                for (int stage = stages - 1; stage >= round; stage--)
                {
                    WriteStage(stage, round - 1 + stages - 1 - stage);
                }
            }

            _w.Line($"{i} += {(stages - 1) * block};");
        }

        void WriteStage(int stage, int blockOffset)
        {
            string At(int lane)
            {
                int offset = blockOffset * block + lane * lanes;
                return offset == 0 ? i : $"{i} + {offset}";
            }

            using (_w.Block())
            {
                _w.Comment($"stage {stage + 1} of {stages}, the block at {At(0)}");
                foreach (PipelineValue value in pipeline.Values.Where(v => v.Stage < stage && v.LastUse > stage))
                {
                    for (int lane = 0; lane < SoftwarePipeline.Unroll; lane++)
                    {
                        _w.Line($"{carried[(value.Name, stage + 1, lane)]} = {carried[(value.Name, stage, lane)]};");
                    }
                }

                foreach (PipelineValue value in pipeline.Values.Where(v => v.Stage == stage))
                {
                    for (int lane = 0; lane < SoftwarePipeline.Unroll; lane++)
                    {
                        string name = local[(value.Name, lane)];
                        string type = writer.TypeOf(value.Kind);
                        string zero = $"{writer.VectorType}.Zero";
                        if (value.Load is { } buffer)
                        {
                            WriteLoad(buffer, name, type, $"{writer.VectorClass}.LoadUnsafe(ref {refs[buffer.Name]}, {At(lane)})", zero);
                        }
                        else if (value.Value is null)
                        {
                            _w.Line($"{type} {name} = {zero};");
                        }
                        else
                        {
                            Expr expression = Rename(value.Value, operand =>
                                !byName.TryGetValue(operand, out PipelineValue? read) ? null
                                : read.Stage < stage ? carried[(operand, stage, lane)]
                                : local[(operand, lane)]);
                            string text = writer.Write(expression);
                            string? guard = GuardOf(value.Guard);
                            if (guard is not null)
                            {
                                // Needed only under these flags: otherwise zero, and no division is left for the JIT to remove.
                                text = $"{guard} ? {(expression is FlagConditionalExpr ? "(" + text + ")" : text)} : {zero}";
                            }

                            _w.Line($"{type} {name} = {text};");
                        }

                        if (value.LastUse > stage)
                        {
                            _w.Line($"{carried[(value.Name, stage + 1, lane)]} = {name};");
                        }
                    }
                }

                foreach (PipelineStore store in pipeline.Stores.Where(s => s.Stage == stage))
                {
                    for (int lane = 0; lane < SoftwarePipeline.Unroll; lane++)
                    {
                        WriteStore(store.Buffer, $"{writer.VectorClass}.StoreUnsafe({local[(store.Value, lane)]}, ref {refs[store.Buffer.Name]}, {At(lane)});");
                    }
                }
            }
        }
    }

    private static string Blocks(int count) => count == 1 ? "block" : $"{count} blocks";

    /// <summary>
    /// Bytes a call moves per element (4 per buffer loaded, 4 per buffer stored): a constant plus
    /// what the flags add (AdamW's max buffer under amsgrad), which the JIT folds per instantiation.
    /// </summary>
    private string BytesPerElement()
    {
        const int floatSize = 4;
        IEnumerable<List<(int Flag, bool Value)>> accesses = _plan.Guards.Values.Concat(_plan.StoreGuards.Values);
        // At least a float even when every access is under a flag: the limit must never divide by zero.
        int always = floatSize * System.Math.Max(1, accesses.Count(guard => guard.Count == 0));
        string[] flagged = accesses.Where(guard => guard.Count > 0)
            .GroupBy(guard => GuardOf(guard)!)
            .Select(group => $"({group.Key} ? {floatSize * group.Count()} : 0)")
            .ToArray();
        return flagged.Length == 0 ? always.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : $"({string.Join(" + ", new[] { always.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(flagged))})";
    }

    /// <summary>The expression with each pipeline value replaced by the variable that holds it where it is read.</summary>
    private static Expr Rename(Expr expression, System.Func<string, string?> variable) => expression is NameExpr name
        ? variable(name.Name) is { } renamed ? new NameExpr(renamed, name.Kind) : name
        : ExprTree.MapChildren(expression, operand => Rename(operand, variable));
}
