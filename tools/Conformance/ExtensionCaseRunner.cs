using System;

namespace KernelGen.Conformance;

/// <summary>Runs this project's own kinds: <c>kind: "lookahead"</c> and <c>kind: "schedule_free_modes"</c>.</summary>
public sealed partial class ConformanceRunner
{
    /// <summary>
    /// The inner optimizer gets its tensors first and is then wrapped, as the reference's optimizer
    /// has its parameters when <c>Lookahead</c> wraps it; then the format's loop, stepping the wrapper.
    /// </summary>
    private string? RunLookaheadCase(ConformanceCase c)
    {
        if (!TryCreateOptimizer(c.OptimizerName!, c.Hyper, out Optimizer? inner, out string? failure)
            || !TryRegister(c, inner, out float[][]? parameters, out float[][]? gradients, out failure))
        {
            return failure;
        }

        LookaheadSpec spec = c.Lookahead!;
        Lookahead lookahead;
        try
        {
            lookahead = new Lookahead(inner, spec.K, spec.Alpha, spec.PullbackMomentum) { Path = _options.Path };
        }
        catch (ArgumentException e)
        {
            return $"Lookahead refused k {spec.K}, alpha {spec.Alpha}: {e.Message}";
        }

        return RunSteps(c, 0, c.Steps, lookahead.Step, parameters, gradients);
    }

    /// <summary>
    /// Steps in train mode, <c>eval()</c>, <c>eval()</c> again, <c>train()</c>, more steps: the
    /// parameters are compared after every step and every switch, and the mode after each switch.
    /// </summary>
    private string? RunScheduleFreeModesCase(ConformanceCase c)
    {
        if (!TryCreateOptimizer(c.OptimizerName!, c.Hyper, out Optimizer? optimizer, out string? failure))
        {
            return failure;
        }

        if (optimizer is not IScheduleFree modes)
        {
            return $"optimizer {c.OptimizerName} is not schedule-free: it has no train and eval modes";
        }

        optimizer.Path = _options.Path;
        if (!TryRegister(c, optimizer, out float[][]? parameters, out float[][]? gradients, out failure))
        {
            return failure;
        }

        ScheduleFreeModesSpec spec = c.Modes!;
        return RunSteps(c, 0, spec.StepsBefore, optimizer.Step, parameters, gradients)
            ?? Switch("eval()", modes.Eval, modes, trainMode: false, parameters, spec.Eval)
            ?? Switch("a second eval()", modes.Eval, modes, trainMode: false, parameters, spec.EvalAgain)
            ?? Switch("train()", modes.Train, modes, trainMode: true, parameters, spec.Train)
            ?? RunSteps(c, spec.StepsBefore, c.Steps, optimizer.Step, parameters, gradients);
    }

    private static string? Switch(string what, Action change, IScheduleFree modes, bool trainMode, float[][] parameters, float[][] expected)
    {
        try
        {
            change();
        }
        catch (Exception e)
        {
            return $"{what} threw {e.GetType().Name}: {e.Message}";
        }

        return modes.TrainMode != trainMode
            ? $"after {what} the optimizer is in {(modes.TrainMode ? "train" : "eval")} mode"
            : TrajectoryComparer.CompareTensors($"after {what}", parameters, expected, Tolerance.Parameters);
    }

    /// <summary>Steps <paramref name="first"/> to <paramref name="end"/> (exclusive) of the format's loop: set the grads, step, compare.</summary>
    private static string? RunSteps(ConformanceCase c, int first, int end, Action step, float[][] parameters, float[][] gradients)
    {
        for (int s = first; s < end; s++)
        {
            for (int i = 0; i < gradients.Length; i++)
            {
                c.Grads[s][i].CopyTo(gradients[i], 0);
            }

            try
            {
                step();
            }
            catch (Exception e)
            {
                return $"step {s + 1}/{c.Steps} threw {e.GetType().Name}: {e.Message}";
            }

            string? failure = TrajectoryComparer.CompareTensors(s, c.Steps, parameters, c.Expected[s], Tolerance.Parameters);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }
}
