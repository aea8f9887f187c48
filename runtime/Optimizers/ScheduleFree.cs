using System;
using System.Collections.Generic;
using System.IO;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// A schedule-free optimizer: its parameters hold y, where gradients are taken, in train mode,
/// and the average x, which is what to evaluate or ship, in eval mode.
/// </summary>
public interface IScheduleFree
{
    /// <summary>Whether the parameters hold y (train mode, the reference's <c>train_mode</c>) rather than x.</summary>
    bool TrainMode { get; }

    /// <summary>Moves the parameters to x (the reference's <c>eval()</c>); nothing in eval mode.</summary>
    void Eval();

    /// <summary>Moves the parameters back to y (the reference's <c>train()</c>); nothing in train mode.</summary>
    void Train();
}

/// <summary>
/// Schedule-free AdamW, as <c>pytorch_optimizer.ScheduleFreeAdamW</c> 3.9.0 (Defazio et al.,
/// 2024, "The Road Less Scheduled"). The parameters hold y, the point gradients are taken at, in
/// train mode (the default), and x, the averaged point to evaluate, after <see cref="Eval"/>; the
/// state z is the base sequence. Per step: lr′ = lr·min(t/warmup_steps, 1);
/// lr_max = max(lr′, previous lr_max); w = t^r·lr_max^weight_lr_power; W = W + w; c = w/W (0 when
/// W = 0; c = min(1, c(1 − β₁)·decoupling_c) when decoupling_c &gt; 0); v = β₂v + (1 − β₂)g²;
/// u = g / (√(v̂/(1 − β₂ᵗ) + 10⁻¹⁵) + ε) (v̂ the running maximum under ams_bound, else v) + wd·y;
/// y = lerp(y, z, c); y = y + lr′(β₁(1 − c) − 1)·u; z = z − lr′·u.
/// </summary>
/// <remarks>
/// <para>z starts as the parameters at the first step. lr_max and W are per-tensor state (in the
/// reference, per group: the same for tensors registered before the first step); the reference
/// keeps them in double, here they are float.</para>
/// <para>The reference (3.9.0) never creates the state ams_bound reads and fails at the first step
/// with it; this class keeps the running maximum of v/(1 − β₂ᵗ), as its <c>apply_ams_bound</c> is
/// written to.</para>
/// <para>As in the reference, a step in eval mode steps from x; call <see cref="Train"/> first.</para>
/// <para>A bias correction 1 − βᵗ is computed as −expm1(t·ln β), from its series while
/// t·ln β ≥ −¼: in float, 1 − βᵗ would cancel when βᵗ is near 1 (β = 0.9999 loses a quarter of its
/// digits), while the reference computes it in double.</para>
/// </remarks>
[Optimizer]
public sealed partial class ScheduleFreeAdamW : IScheduleFree
{
    private readonly ScheduleFreeModeSwitch _switch = new();

    /// <summary>The learning rate after warm-up (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 2.5e-3f;

    /// <summary>The interpolation between the averaged and base sequences (<c>betas[0]</c>).</summary>
    [Hyperparameter("betas[0]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Decay of the second moment (<c>betas[1]</c>).</summary>
    [Hyperparameter("betas[1]", Minimum = 0, Maximum = 1, MaximumIsExclusive = true)]
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>L2 penalty, added to the normalized gradient at y (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>The power of t in the averaging weights (<c>r</c>).</summary>
    [Hyperparameter("r")]
    public float R { get; set; }

    /// <summary>The power of the largest learning rate so far in the averaging weights (<c>weight_lr_power</c>).</summary>
    [Hyperparameter("weight_lr_power")]
    public float WeightLrPower { get; set; } = 2f;

    /// <summary>Steps of linear learning-rate warm-up (<c>warmup_steps</c>).</summary>
    [Hyperparameter("warmup_steps", Minimum = 0)]
    public float WarmupSteps { get; set; }

    /// <summary>The coefficient of refined schedule-free AdamW; 0 turns it off (<c>decoupling_c</c>).</summary>
    [Hyperparameter("decoupling_c", Minimum = 0)]
    public float DecouplingC { get; set; }

    /// <summary>Use the running maximum of the second moment (<c>ams_bound</c>; see the remarks).</summary>
    [Hyperparameter("ams_bound")]
    public bool AmsBound { get; set; }

    /// <summary>Added to the denominator (<c>eps</c>).</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>Whether the parameters hold y (train mode, the reference's <c>train_mode</c>) rather than x.</summary>
    public bool TrainMode => _switch.TrainMode;

    /// <summary>
    /// The reference's <c>eval()</c>: moves every stepped tensor's parameters from y to x,
    /// x = lerp(y, z, 1 − 1/β₁), in one generated pass. Does nothing in eval mode.
    /// </summary>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range (as <see cref="Optimizer.Step"/> refuses it); nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">β₁ is 0 (the reference divides by it), or another call runs on this optimizer.</exception>
    public void Eval() => _switch.Eval(this, zState: 0, Beta1);

    /// <summary>The reference's <c>train()</c>: y = lerp(x, z, 1 − β₁). Does nothing in train mode.</summary>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range; nothing was changed.</exception>
    public void Train() => _switch.Train(this, zState: 0, Beta1);

    /// <summary>Checkpoints save the mode (<c>groups.G.schedule_free.train_mode</c>): what the parameters hold.</summary>
    internal override ICheckpointCompanion CheckpointCompanion => _switch;

    // Measured 1 to 3% slower software-pipelined than plain on this machine (docs/performance.md).
    [UpdateRule(SoftwarePipelining = false)]
    private static void Update(ref float param, float grad, ref float z, ref float expAvgSq, ref float maxExpAvgSq,
        float learningRate, float beta1, float beta2, float weightDecay, float r, float weightLrPower, float warmupSteps,
        float decouplingC, bool amsBound, float epsilon, bool maximize, [Step] int step,
        [TensorState] ref float lrMax, [TensorState] ref float weightSum)
    {
        // z starts as the parameters; lr_max starts at −1 in the reference (state starts at 0).
        if (step == 1)
        {
            z = param;
        }

        float schedule = step < warmupSteps ? step / warmupSteps : 1f;
        float lr = learningRate * schedule;
        lrMax = MathF.Max(lr, step == 1 ? -1f : lrMax);
        float weight = MathF.Pow(step, r) * MathF.Pow(lrMax, weightLrPower);
        weightSum += weight;
        float checkpoint = weightSum != 0f ? weight / weightSum : 0f;
        if (decouplingC > 0f)
        {
            checkpoint = MathF.Min(1f, checkpoint * (1f - beta1) * decouplingC);
        }

        float g = maximize ? -grad : grad;
        expAvgSq = expAvgSq * beta2 + (1f - beta2) * g * g;

        // 1 − βᵗ without float cancellation (see the remarks).
        float biasCorrection2 = StepCorrections.BiasCorrection(beta2, step);
        float secondMoment = expAvgSq / biasCorrection2;
        float denominator;
        if (amsBound)
        {
            maxExpAvgSq = MathF.Max(maxExpAvgSq, secondMoment);
            denominator = MathF.Sqrt(maxExpAvgSq + 1e-15f) + epsilon;
        }
        else
        {
            denominator = MathF.Sqrt(secondMoment + 1e-15f) + epsilon;
        }

        float u = g / denominator;
        if (weightDecay > 0f)
        {
            u += weightDecay * param;
        }

        // torch's lerp, as p.lerp_(z, c) computes it.
        if (MathF.Abs(checkpoint) < 0.5f)
        {
            param += checkpoint * (z - param);
        }
        else
        {
            param = z - (z - param) * (1f - checkpoint);
        }

        param += lr * (beta1 * (1f - checkpoint) - 1f) * u;
        z -= lr * u;
    }
}

/// <summary>
/// Schedule-free SGD, as <c>pytorch_optimizer.ScheduleFreeSGD</c> 3.9.0 (Defazio et al., 2024):
/// <see cref="ScheduleFreeAdamW"/> with momentum for β₁ and the gradient (+ wd·y) for the
/// normalized gradient: y = lerp(y, z, c); y = y + lr′(momentum(1 − c) − 1)·g; z = z − lr′·g.
/// </summary>
/// <remarks>The remarks of <see cref="ScheduleFreeAdamW"/> on state and modes apply.</remarks>
[Optimizer]
public sealed partial class ScheduleFreeSGD : IScheduleFree
{
    private readonly ScheduleFreeModeSwitch _switch = new();

    /// <summary>The learning rate after warm-up (<c>lr</c>).</summary>
    [Hyperparameter("lr", Minimum = 0)]
    public float LearningRate { get; set; } = 1f;

    /// <summary>The interpolation between the averaged and base sequences (<c>momentum</c>).</summary>
    [Hyperparameter("momentum", Minimum = 0, Maximum = 1)]
    public float Momentum { get; set; } = 0.9f;

    /// <summary>L2 penalty added to the gradient (<c>weight_decay</c>).</summary>
    [Hyperparameter("weight_decay", Minimum = 0)]
    public float WeightDecay { get; set; }

    /// <summary>The power of t in the averaging weights (<c>r</c>).</summary>
    [Hyperparameter("r")]
    public float R { get; set; }

    /// <summary>The power of the largest learning rate so far in the averaging weights (<c>weight_lr_power</c>).</summary>
    [Hyperparameter("weight_lr_power")]
    public float WeightLrPower { get; set; } = 2f;

    /// <summary>Steps of linear learning-rate warm-up (<c>warmup_steps</c>).</summary>
    [Hyperparameter("warmup_steps", Minimum = 0)]
    public float WarmupSteps { get; set; }

    /// <summary>Accepted for the reference's signature (<c>eps</c>); its SGD does not use it.</summary>
    [Hyperparameter("eps", Minimum = 0)]
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    [Hyperparameter("maximize")]
    public bool Maximize { get; set; }

    /// <summary>Whether the parameters hold y (train mode, the reference's <c>train_mode</c>) rather than x.</summary>
    public bool TrainMode => _switch.TrainMode;

    /// <summary>The reference's <c>eval()</c>: x = lerp(y, z, 1 − 1/momentum) on every stepped tensor. Does nothing in eval mode.</summary>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range (as <see cref="Optimizer.Step"/> refuses it); nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">The momentum is 0 (the reference divides by it), or another call runs on this optimizer.</exception>
    public void Eval() => _switch.Eval(this, zState: 0, Momentum);

    /// <summary>The reference's <c>train()</c>: y = lerp(x, z, 1 − momentum). Does nothing in train mode.</summary>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range; nothing was changed.</exception>
    public void Train() => _switch.Train(this, zState: 0, Momentum);

    /// <summary>Checkpoints save the mode (<c>groups.G.schedule_free.train_mode</c>): what the parameters hold.</summary>
    internal override ICheckpointCompanion CheckpointCompanion => _switch;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float z,
        float learningRate, float momentum, float weightDecay, float r, float weightLrPower, float warmupSteps, bool maximize,
        [Step] int step, [TensorState] ref float lrMax, [TensorState] ref float weightSum)
    {
        if (step == 1)
        {
            z = param;
        }

        float schedule = step < warmupSteps ? step / warmupSteps : 1f;
        float lr = learningRate * schedule;
        lrMax = MathF.Max(lr, step == 1 ? -1f : lrMax);
        float weight = MathF.Pow(step, r) * MathF.Pow(lrMax, weightLrPower);
        weightSum += weight;
        float checkpoint = weightSum != 0f ? weight / weightSum : 0f;

        float g = maximize ? -grad : grad;
        if (weightDecay > 0f)
        {
            g += weightDecay * param;
        }

        if (MathF.Abs(checkpoint) < 0.5f)
        {
            param += checkpoint * (z - param);
        }
        else
        {
            param = z - (z - param) * (1f - checkpoint);
        }

        param += lr * (momentum * (1f - checkpoint) - 1f) * g;
        z -= lr * g;
    }
}

/// <summary>
/// The train/eval switch of the schedule-free optimizers: moves the parameters of every tensor
/// that has z (has taken a step) between y and x with a generated torch-lerp kernel, reading z
/// in place from the optimizer's state. Checkpoints save its mode, so a resumed run knows what
/// the parameters hold.
/// </summary>
internal sealed class ScheduleFreeModeSwitch : ICheckpointCompanion
{
    private const string TrainModeKey = "train_mode";

    public bool TrainMode { get; private set; } = true;

    public string CompanionName => "schedule_free";

    public void Eval(Optimizer optimizer, int zState, float beta)
    {
        if (!TrainMode)
        {
            return;
        }

        // The same checks as a step: a NaN or out-of-range beta would move every parameter to a meaningless point.
        optimizer.Validate();
        if (beta == 0f)
        {
            throw new InvalidOperationException("Eval moves to x = lerp(y, z, 1 - 1/beta): beta (momentum or betas[0]) must not be 0.");
        }

        Move(optimizer, zState, 1f - 1f / beta);
        TrainMode = false;
    }

    public void Train(Optimizer optimizer, int zState, float beta)
    {
        if (TrainMode)
        {
            return;
        }

        optimizer.Validate();
        Move(optimizer, zState, 1f - beta);
        TrainMode = true;
    }

    public void Save(IDictionary<string, string> state) => state[TrainModeKey] = TrainMode ? "true" : "false";

    public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
    {
        bool trainMode = state.TryGetValue(TrainModeKey, out string? text) switch
        {
            false => throw new InvalidDataException($"'{TrainModeKey}' is missing: the checkpoint does not say whether the parameters hold y (train) or x (eval)."),
            true when text == "true" => true,
            true when text == "false" => false,
            _ => throw new InvalidDataException($"'{TrainModeKey}' is '{text}', not 'true' or 'false'."),
        };
        return () => TrainMode = trainMode;
    }

    public void AddSlots(int tensor, string prefix, Action<Slot> add)
    {
    }

    private static void Move(Optimizer optimizer, int zState, float weight)
    {
        optimizer.EnterCall(OptimizerCall.ModeSwitch);
        try
        {
            // The reference moves only tensors whose z exists, that is, tensors that have taken a step.
            IReadOnlyList<ParameterTensor> tensors = optimizer.Tensors;
            for (int i = 0; i < tensors.Count; i++)
            {
                ParameterTensor tensor = tensors[i];
                if (tensor.Step > 0)
                {
                    LinearInterpolation.Lerp(optimizer.Path, tensor.Parameter.Span, tensor.State(zState), weight);
                }
            }
        }
        finally
        {
            optimizer.ExitCall();
        }
    }
}
