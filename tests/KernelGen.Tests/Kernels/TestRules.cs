using System;

namespace KernelGen.Tests.Kernels;

// Rules that exercise what the built-ins do not: selects from varying ifs, nested conditions,
// per-tensor state, every allowed function. They are compiled here, so the generator runs on
// them exactly as it runs in a user's project (and in tools/CrossArch, which compiles this file too).

/// <summary>Varying if/else (a local assigned in one arm only), a uniform if nested in a varying one, ?: on lanes.</summary>
[Optimizer]
public sealed partial class SelectRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float Threshold { get; set; } = 0.5f;
    [Hyperparameter] public bool Clamp { get; set; } = true;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float trace, float learningRate, float threshold, bool clamp)
    {
        float g = grad;
        float scale = 1f;
        if (MathF.Abs(g) > threshold)
        {
            scale = threshold / MathF.Abs(g);
            if (clamp)
            {
                g = MathF.CopySign(threshold, g);
            }
        }
        else
        {
            trace = MathF.FusedMultiplyAdd(trace, 0.5f, g);
        }

        float direction = trace >= 0f ? KernelMath.Sign(g) : -KernelMath.Sign(trace);
        param -= learningRate * scale * MathF.Min(MathF.Abs(g), 2f) * direction;
        trace = MathF.Max(trace, -1f) + g * 0.25f;
    }
}

/// <summary>ASGD-shaped per-tensor state: read by varying code before the rule reassigns it.</summary>
[Optimizer]
public sealed partial class TensorStateRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float Lambda { get; set; } = 1e-4f;
    [Hyperparameter] public float Alpha { get; set; } = 0.75f;
    [Hyperparameter] public int Start { get; set; } = 2;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float average, float learningRate, float lambda, float alpha, int start,
        [Step] int step, [TensorState] ref float eta, [TensorState] ref float mu)
    {
        if (step == 1)
        {
            eta = learningRate;
            mu = 1f;
        }

        param = param * (1f - lambda * eta) - eta * grad;
        if (mu != 1f)
        {
            average += (param - average) * mu;
        }
        else
        {
            average = param;
        }

        eta = learningRate / MathF.Pow(1f + lambda * learningRate * step, alpha);
        mu = 1f / MathF.Max(1f, step - start);
    }
}

/// <summary>Exp and Log on uniform values, negative literals, a varying division and square root.</summary>
[Optimizer]
public sealed partial class UniformMathRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
    [Hyperparameter] public float Decay { get; set; } = 0.3f;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float energy, float learningRate, float decay, [Step] int step)
    {
        float warmup = 1f - MathF.Exp(-decay * step);
        float logStep = MathF.Log(step + 1f);
        float decayed = learningRate / (1f + (step - 1) * decay); // an int in parentheses, converted to float once
        energy += decayed * 0f;
        energy = energy * -0.5f + grad * grad;
        param -= learningRate * warmup * grad / (MathF.Sqrt(energy) + logStep) - -1e-3f * param;
    }
}

/// <summary>LARS/LAMB-shaped: two norms of the tensor (one of a computed value) before the update.</summary>
[Optimizer]
public sealed partial class TrustRatioRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float WeightDecay { get; set; } = 0.01f;
    [Hyperparameter] public bool Trust { get; set; } = true;

    [UpdateRule]
    private static void Update(ref float param, float grad, ref float momentum, float learningRate, float weightDecay, bool trust,
        [Step] int step, [TensorState] ref float lastTrust)
    {
        float update = grad + weightDecay * param;
        float paramNorm = KernelMath.Norm(param);
        float updateNorm = KernelMath.Norm(update);
        float ratio = trust && paramNorm > 0f && updateNorm > 0f ? paramNorm / updateNorm : 1f;
        lastTrust = ratio;
        momentum = step == 1 ? update : 0.9f * momentum + update;
        param -= learningRate * ratio * momentum;
    }
}

/// <summary>NovoGrad-shaped: a per-tensor second moment from the gradient's sum of squares.</summary>
[Optimizer]
public sealed partial class SumOfSquaresRule
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float Beta { get; set; } = 0.75f;

    [UpdateRule]
    private static void Update(ref float param, float grad, float learningRate, float beta, [Step] int step, [TensorState] ref float secondMoment)
    {
        float energy = KernelMath.SumOfSquares(grad);
        secondMoment = step == 1 ? energy : beta * secondMoment + (1f - beta) * energy;
        param -= learningRate * grad / (MathF.Sqrt(secondMoment) + 1e-8f);
    }
}

/// <summary>
/// A kernel that reads two spans, with a uniform flag over varying work and a varying select:
/// what the runtime's kernels (one span read at most) do not exercise.
/// </summary>
public static partial class TestKernels
{
    [Kernel]
    public static void Mix(ref float target, float first, float second, [Uniform] float weight, bool clamp)
    {
        float mixed = weight * first + (1f - weight) * second;
        if (clamp)
        {
            mixed = MathF.Min(MathF.Max(mixed, -1f), 1f);
        }

        target = mixed > target ? mixed : target;
    }
}
