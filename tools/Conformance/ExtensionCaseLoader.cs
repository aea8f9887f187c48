using System.Linq;
using System.Text.Json;

namespace KernelGen.Conformance;

/// <summary>Reads this project's own kinds: <c>kind: "lookahead"</c> and <c>kind: "schedule_free_modes"</c>.</summary>
public static partial class CaseLoader
{
    private static ConformanceCase ReadLookaheadCase(JsonElement root, string name)
    {
        string inner = RequiredString(root, "inner");
        (float[][] parameters, float[][][] grads, float[][][] expected, int steps) = ReadStepped(root);
        string pullback = RequiredString(root, "pullback_momentum");
        var spec = new LookaheadSpec(
            ReadCount(Required(root, "k"), "k"),
            (float)ReadDouble(Required(root, "alpha"), "alpha"),
            pullback switch
            {
                "none" => LookaheadPullback.None,
                "reset" => LookaheadPullback.Reset,
                "pullback" => LookaheadPullback.Pullback,
                _ => throw new CaseFormatException($"unknown pullback_momentum \"{pullback}\" (none, reset or pullback)"),
            });

        return new ConformanceCase
        {
            Name = name,
            Kind = CaseKind.Lookahead,
            OptimizerName = inner,
            Hyper = ReadHyper(root, "inner_hyper"),
            Steps = steps,
            Params = parameters,
            Grads = grads,
            Expected = expected,
            Lookahead = spec,
        };
    }

    private static ConformanceCase ReadScheduleFreeModesCase(JsonElement root, string name)
    {
        string optimizer = RequiredString(root, "optimizer");
        float[][] parameters = ReadTensors(Required(root, "params"), "params");
        float[][][] before = ReadTrajectory(Required(root, "expected_before"), "expected_before", parameters);
        float[][][] after = ReadTrajectory(Required(root, "expected_after"), "expected_after", parameters);
        int stepsBefore = ReadCount(Required(root, "steps_before"), "steps_before");
        CheckLength(before.Length, stepsBefore, "expected_before", "\"steps_before\"");

        // One gradient per step, before and after the switch.
        int steps = before.Length + after.Length;
        float[][][] grads = ReadTrajectory(Required(root, "grads"), "grads", parameters);
        CheckLength(grads.Length, steps, "grads", "the number of steps before and after the switch");

        return new ConformanceCase
        {
            Name = name,
            Kind = CaseKind.ScheduleFreeModes,
            OptimizerName = optimizer,
            Hyper = ReadHyper(root, "hyper"),
            Steps = steps,
            Params = parameters,
            Grads = grads,
            Expected = before.Concat(after).ToArray(),
            Modes = new ScheduleFreeModesSpec(
                stepsBefore,
                ReadShapedLike(Required(root, "eval"), "eval", parameters),
                ReadShapedLike(Required(root, "eval_again"), "eval_again", parameters),
                ReadShapedLike(Required(root, "train"), "train", parameters)),
        };
    }
}
