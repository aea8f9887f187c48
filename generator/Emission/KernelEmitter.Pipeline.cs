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
    /// <summary>Blocks of this many vectors: two independent operations per stage keep the divider busy.</summary>
    private const int PipelineUnroll = 2;

    private static readonly string[] LaneSuffixes = { "A", "B" };

    private void WritePipelinedLoop(SoftwarePipeline pipeline, CSharpWriter writer, int width, NameScope names, Dictionary<string, string> refs, string i, string length)
    {
        int lanes = width / 32;
        int block = PipelineUnroll * lanes;
        int stages = pipeline.Stages;
        Dictionary<string, PipelineValue> byName = pipeline.Values.ToDictionary(v => v.Name);
        var local = new Dictionary<(string Value, int Lane), string>();
        var carried = new Dictionary<(string Value, int Stage, int Lane), string>();
        foreach (PipelineValue value in pipeline.Values)
        {
            for (int lane = 0; lane < PipelineUnroll; lane++)
            {
                local[(value.Name, lane)] = names.Fresh(value.Name + LaneSuffixes[lane]);
                for (int stage = value.Stage + 1; stage <= value.LastUse; stage++)
                {
                    carried[(value.Name, stage, lane)] = names.Fresh($"{value.Name}{LaneSuffixes[lane]}_{stage}");
                }
            }
        }

        // What every call moves, whatever its flags (at least a float: a rule may touch memory only under flags).
        int bytes = 4 * System.Math.Max(1, _plan.Guards.Count(g => g.Value.Count == 0) + _plan.StoreGuards.Count(g => g.Value.Count == 0));
        _w.Comment($"Software-pipelined in {stages} stages, cut before each division or square root that waits for another:");
        _w.Comment("an iteration runs every stage once, each on another block, so the divider gets independent work.");
        _w.Comment("The same operations on the same values as the loop below: the same bits. Past the caches memory is");
        _w.Comment($"the limit and the plain loop is faster: pipelined only up to KernelTuning.PipelinedBytes ({bytes} per element).");
        using (_w.Block($"if ({length} - {i} >= {stages * block} && {length} - {i} <= global::KernelGen.Internal.KernelTuning.PipelinedBytes / {bytes})"))
        {
            _w.Comment($"Values a later stage reads, one variable per stage that reads them; blocks of {PipelineUnroll} vectors (A, B).");
            foreach (KeyValuePair<(string Value, int Stage, int Lane), string> entry in carried)
            {
                _w.Line($"{writer.TypeOf(byName[entry.Key.Value].Kind)} {entry.Value} = {writer.VectorType}.Zero;");
            }

            _w.Line();
            _w.Comment($"Prologue: the first {stages - 1} blocks go through their first stages.");
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
            _w.Comment($"Epilogue: the {stages - 1} blocks in flight go through their last stages.");
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
                    for (int lane = 0; lane < PipelineUnroll; lane++)
                    {
                        _w.Line($"{carried[(value.Name, stage + 1, lane)]} = {carried[(value.Name, stage, lane)]};");
                    }
                }

                foreach (PipelineValue value in pipeline.Values.Where(v => v.Stage == stage))
                {
                    for (int lane = 0; lane < PipelineUnroll; lane++)
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
                            int reader = lane;
                            Expr expression = Rename(value.Value, operand =>
                                !byName.TryGetValue(operand, out PipelineValue? read) ? null
                                : read.Stage < stage ? carried[(operand, stage, reader)]
                                : local[(operand, reader)]);
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
                    for (int lane = 0; lane < PipelineUnroll; lane++)
                    {
                        WriteStore(store.Buffer, $"{writer.VectorClass}.StoreUnsafe({local[(store.Value, lane)]}, ref {refs[store.Buffer.Name]}, {At(lane)});");
                    }
                }
            }
        }
    }

    /// <summary>The expression with each pipeline value replaced by the variable that holds it where it is read.</summary>
    private static Expr Rename(Expr expression, System.Func<string, string?> variable) => expression switch
    {
        NameExpr name => variable(name.Name) is { } renamed ? new NameExpr(renamed, name.Kind) : name,
        UnaryExpr unary => unary with { Operand = Rename(unary.Operand, variable) },
        BinaryExpr binary => binary with { Left = Rename(binary.Left, variable), Right = Rename(binary.Right, variable) },
        ConditionalExpr conditional => conditional with
        {
            Condition = Rename(conditional.Condition, variable),
            WhenTrue = Rename(conditional.WhenTrue, variable),
            WhenFalse = Rename(conditional.WhenFalse, variable),
        },
        FlagConditionalExpr flag => flag with { WhenTrue = Rename(flag.WhenTrue, variable), WhenFalse = Rename(flag.WhenFalse, variable) },
        CallExpr call => call with { Arguments = call.Arguments.Select(a => Rename(a, variable)).ToEquatableArray() },
        _ => expression,
    };
}
