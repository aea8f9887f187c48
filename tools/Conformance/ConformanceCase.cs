using System;
using System.Collections.Generic;
using System.Text.Json;

namespace KernelGen.Conformance;

/// <summary>What a case checks (the format's <c>kind</c>).</summary>
public enum CaseKind
{
    /// <summary>A parameter trajectory under an optimizer (with an optional scheduler and clipping).</summary>
    Optimizer,

    /// <summary>A learning-rate (and momentum) trajectory under a scheduler alone.</summary>
    Scheduler,

    /// <summary>A parameter, loss and evaluation-count trajectory under an optimizer that calls a closure (<see cref="ClosureCase"/>).</summary>
    Closure,

    /// <summary>
    /// This project's extension: a parameter trajectory under <see cref="KernelGen.Lookahead"/> around an
    /// optimizer (<see cref="LookaheadSpec"/>).
    /// </summary>
    Lookahead,

    /// <summary>
    /// This project's extension: a schedule-free optimizer's trajectory with <c>eval()</c>, a
    /// second <c>eval()</c> and <c>train()</c> between two runs of steps (<see cref="ScheduleFreeModesSpec"/>).
    /// </summary>
    ScheduleFreeModes,
}

/// <summary>
/// One hyper-parameter assignment, already flattened to what <see cref="KernelGen.Optimizer.TrySetHyperparameter"/>
/// takes: arrays become <c>name[0]</c>, <c>name[1]</c>, ... and booleans become 0 or 1.
/// </summary>
public sealed record HyperSetting(string Name, double Value);

/// <summary>
/// An LR scheduler as the case names it (torch's class name and constructor arguments). The
/// arguments stay JSON because each scheduler reads its own (and <c>SequentialLR</c> nests specs).
/// </summary>
public sealed record SchedulerSpec(string Name, JsonElement Args);

/// <summary>torch <c>clip_grad_norm_</c> arguments: clip by the global norm over all tensors of the case.</summary>
public sealed record ClipGradNormSpec(double MaxNorm, double NormType);

/// <summary>pytorch_optimizer's <c>Lookahead</c> arguments: <c>k</c>, <c>alpha</c> and <c>pullback_momentum</c>.</summary>
public sealed record LookaheadSpec(int K, float Alpha, LookaheadPullback PullbackMomentum);

/// <summary>
/// Where a <c>schedule_free_modes</c> case switches modes, and the parameters the reference holds
/// after <c>eval()</c>, after a second <c>eval()</c> and after <c>train()</c>.
/// </summary>
public sealed record ScheduleFreeModesSpec(int StepsBefore, float[][] Eval, float[][] EvalAgain, float[][] Train);

/// <summary>
/// The storage types of a mixed-precision case (<c>dtypes</c>): the parameters, the gradients and
/// every per-element state buffer, each float32, bfloat16 or float16.
/// </summary>
public sealed record CaseDTypes(StateStorage Param, StateStorage Grad, StateStorage State);

/// <summary>A loaded, shape-checked <c>kernelgen-conformance/1</c> case.</summary>
public sealed class ConformanceCase
{
    /// <summary>The case's name (its <c>name</c> field, else the file name).</summary>
    public required string Name { get; init; }

    /// <summary>What the case checks.</summary>
    public required CaseKind Kind { get; init; }

    /// <summary>The reference class name (for Lookahead cases, the inner optimizer's); for scheduler cases, <see langword="null"/> when the case names none.</summary>
    public string? OptimizerName { get; init; }

    /// <summary>The constructor arguments (<c>hyper</c>; <c>optimizer_hyper</c> for scheduler cases, <c>inner_hyper</c> for Lookahead cases).</summary>
    public IReadOnlyList<HyperSetting> Hyper { get; init; } = Array.Empty<HyperSetting>();

    /// <summary>The number of optimizer (or scheduler) steps.</summary>
    public required int Steps { get; init; }

    /// <summary>The initial tensors (optimizer cases).</summary>
    public float[][] Params { get; init; } = Array.Empty<float[]>();

    /// <summary><c>Grads[s][i]</c>: the gradient of tensor <c>i</c> at step <c>s</c> (optimizer cases).</summary>
    public float[][][] Grads { get; init; } = Array.Empty<float[][]>();

    /// <summary><c>Expected[s][i]</c>: tensor <c>i</c> after step <c>s</c> (optimizer cases).</summary>
    public float[][][] Expected { get; init; } = Array.Empty<float[][]>();

    /// <summary>The storage types, when the case names them (<see langword="null"/>: all float32).</summary>
    public CaseDTypes? DTypes { get; init; }

    /// <summary>The scheduler stepped after every optimizer step, if any.</summary>
    public SchedulerSpec? Scheduler { get; init; }

    /// <summary>Gradient clipping before every step, if any.</summary>
    public ClipGradNormSpec? ClipGradNorm { get; init; }

    /// <summary>The learning rate in effect at each step, when the case records it.</summary>
    public double[]? Lrs { get; init; }

    /// <summary>The initial learning rate (scheduler cases).</summary>
    public double BaseLr { get; init; }

    /// <summary>The metric passed to the scheduler after each step (<c>ReduceLROnPlateau</c>), if any.</summary>
    public double[]? Metrics { get; init; }

    /// <summary>The momentum (or <c>betas[0]</c>) in effect before each step, for schedulers that cycle it.</summary>
    public double[]? Momentums { get; init; }

    /// <summary>What only closure cases have: the function, the hyper-parameters as written, the losses and counts.</summary>
    public ClosureCase? Closure { get; init; }

    /// <summary>The wrapper's arguments, for Lookahead cases.</summary>
    public LookaheadSpec? Lookahead { get; init; }

    /// <summary>
    /// The mode switches, for schedule-free mode cases (whose <see cref="Steps"/>, <see cref="Grads"/>
    /// and <see cref="Expected"/> run on through the switch: <c>expected_before</c> then <c>expected_after</c>).
    /// </summary>
    public ScheduleFreeModesSpec? Modes { get; init; }
}
