using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Training;
using KernelGen.Verification;

namespace KernelGen.Tests.Kernels;

/// <summary>
/// Runs a [Kernel] entry over arrays: its generated loops on <paramref name="path"/>, or its rule
/// element by element (the <c>WithRule</c> oracle) when the path is null.
/// </summary>
public delegate void KernelRun(KernelPath? path, float[][] written, float[][] read);

/// <summary>A kernel and the number of spans it writes and reads.</summary>
public sealed record KernelCase(int Written, int Read, KernelRun Run);

/// <summary>
/// Every optimizer configuration the bitwise tests run (built-ins with each option on, and the
/// test rules), and the runtime's [Kernel] entries.
/// </summary>
/// <remarks>Also compiled into tools/CrossArch (the ARM64 check), as are the test rules: no xunit here.</remarks>
public static class KernelCases
{
    public static readonly IReadOnlyDictionary<string, Func<Optimizer>> Optimizers = new Dictionary<string, Func<Optimizer>>
    {
        ["SGD"] = () => new SGD { LearningRate = 0.1f },
        ["SGD momentum dampening wd"] = () => new SGD { LearningRate = 0.1f, Momentum = 0.9f, Dampening = 0.1f, WeightDecay = 0.01f },
        ["SGD nesterov maximize"] = () => new SGD { LearningRate = 0.1f, Momentum = 0.8f, Nesterov = true, Maximize = true },
        ["Adam"] = () => new Adam { LearningRate = 0.01f },
        ["Adam amsgrad wd maximize"] = () => new Adam { LearningRate = 0.01f, Amsgrad = true, WeightDecay = 0.1f, Maximize = true },
        ["AdamW"] = () => new AdamW { LearningRate = 0.01f },
        ["AdamW amsgrad"] = () => new AdamW { LearningRate = 0.01f, Amsgrad = true, Beta1 = 0.8f, Beta2 = 0.95f },
        ["Adagrad"] = () => new Adagrad(),
        ["Adagrad lr_decay initial wd maximize"] = () =>
            new Adagrad { LearningRateDecay = 0.1f, InitialAccumulatorValue = 0.5f, WeightDecay = 0.01f, Maximize = true },
        ["Adadelta"] = () => new Adadelta(),
        ["Adadelta wd maximize"] = () => new Adadelta { LearningRate = 0.5f, Rho = 0.8f, WeightDecay = 0.01f, Maximize = true },
        ["Adamax"] = () => new Adamax(),
        ["Adamax wd maximize"] = () => new Adamax { WeightDecay = 0.01f, Maximize = true, Beta2 = 0.9f },
        ["NAdam"] = () => new NAdam(),
        ["NAdam wd"] = () => new NAdam { WeightDecay = 0.01f, MomentumDecay = 0.1f },
        // Rectified on steps 6 and 7 (ρₜ from the series) and, with β₂ = 0.8, on step 7 (ρₜ from torch's formula).
        ["RAdam"] = () => new RAdam(),
        ["RAdam wd"] = () => new RAdam { WeightDecay = 0.01f, Beta2 = 0.9f },
        ["RAdam beta2 0.8"] = () => new RAdam { Beta2 = 0.8f },
        ["RMSprop"] = () => new RMSprop(),
        ["RMSprop centered"] = () => new RMSprop { Centered = true },
        ["RMSprop momentum"] = () => new RMSprop { Momentum = 0.9f },
        ["RMSprop centered momentum wd maximize"] = () =>
            new RMSprop { Centered = true, Momentum = 0.5f, WeightDecay = 0.01f, Maximize = true },
        ["Rprop"] = () => new Rprop(),
        // Step sizes that reach both bounds within the test's steps.
        ["Rprop etas step_sizes maximize"] = () =>
            new Rprop { EtaMinus = 0.3f, EtaPlus = 2f, MinStepSize = 5e-3f, MaxStepSize = 0.05f, Maximize = true },
        ["ASGD"] = () => new ASGD(),
        // t0 = 0: μ < 1 from step 3 on, so the averaging branch runs.
        ["ASGD t0 wd maximize"] = () => new ASGD { AveragingStart = 0f, Lambda = 0.01f, WeightDecay = 0.01f, Maximize = true },
        ["AdaBelief"] = () => new AdaBelief { LearningRate = 0.01f },
        ["AdaBelief coupled ams_bound maximize"] = () =>
            new AdaBelief { WeightDecouple = false, WeightDecay = 0.01f, AmsBound = true, Maximize = true, Epsilon = 1e-8f },
        // Rectified from step 6 (ρₜ ≥ 5), an SGD step before; with β₂ = 0.99 and no SGD, no step before.
        ["AdaBelief rectify fixed_decay"] = () => new AdaBelief { Rectify = true, FixedDecay = true, WeightDecay = 0.01f },
        ["AdaBelief rectify no sgd adam_debias"] = () => new AdaBelief { Rectify = true, DegeneratedToSgd = false, Beta2 = 0.99f, AdamDebias = true },
        ["Lion"] = () => new Lion { LearningRate = 0.01f },
        ["Lion coupled maximize"] = () => new Lion { WeightDecouple = false, WeightDecay = 0.1f, Maximize = true },
        ["Lion fixed_decay"] = () => new Lion { FixedDecay = true, WeightDecay = 0.1f },
        ["Adan"] = () => new Adan { LearningRate = 0.01f },
        ["Adan decoupled maximize"] = () => new Adan { WeightDecouple = true, WeightDecay = 0.02f, Maximize = true },
        ["Adan max_grad_norm wd"] = () => new Adan { MaxGradNorm = 1f, WeightDecay = 0.02f },
        ["Yogi"] = () => new Yogi(),
        ["Yogi coupled maximize adam_debias"] = () => new Yogi { WeightDecouple = false, WeightDecay = 0.01f, Maximize = true, AdamDebias = true },
        ["Yogi fixed_decay"] = () => new Yogi { FixedDecay = true, WeightDecay = 0.1f, InitialAccumulator = 0.5f },
        ["MADGRAD"] = () => new MADGRAD { LearningRate = 0.01f },
        ["MADGRAD no momentum decoupled"] = () => new MADGRAD { Momentum = 0f, WeightDecay = 0.01f, WeightDecouple = true },
        // eps = 0 makes a zero root infinite (the reference's rms[rms == 0] = inf).
        ["MADGRAD coupled eps 0 maximize"] = () => new MADGRAD { WeightDecay = 0.01f, Epsilon = 0f, Maximize = true },
        ["ADOPT"] = () => new ADOPT { LearningRate = 0.01f },
        ["ADOPT coupled maximize"] = () => new ADOPT { WeightDecay = 0.01f, Maximize = true },
        // β₁ = 0.3: the lerp weight 0.7 takes torch's other form.
        ["ADOPT decoupled fixed_decay small beta1"] = () =>
            new ADOPT { WeightDecouple = true, FixedDecay = true, WeightDecay = 0.01f, Beta1 = 0.3f },
        ["ScheduleFreeAdamW"] = () => new ScheduleFreeAdamW(),
        ["ScheduleFreeAdamW wd ams_bound warmup decoupling r maximize"] = () => new ScheduleFreeAdamW
        {
            WeightDecay = 0.01f, AmsBound = true, WarmupSteps = 3f, DecouplingC = 200f, R = 1f, WeightLrPower = 1f, Maximize = true,
        },
        ["ScheduleFreeSGD"] = () => new ScheduleFreeSGD { LearningRate = 0.1f },
        ["ScheduleFreeSGD wd warmup maximize no momentum"] = () =>
            new ScheduleFreeSGD { LearningRate = 0.1f, WeightDecay = 0.01f, WarmupSteps = 4f, Maximize = true, Momentum = 0f },
        // Rectified from step 6 (ρₜ ≥ 5 with β₂ = 0.999): both sides of the threshold within the test's steps.
        ["Lamb"] = () => new Lamb { LearningRate = 0.01f, WeightDecay = 0.01f },
        ["Lamb rectify"] = () => new Lamb { LearningRate = 0.01f, WeightDecay = 0.01f, Rectify = true },
        // β₂ = 0.5: ρₜ from torch's formula (t·ln 2 > 1 from step 2), adaptive from step 3 over a threshold of 2.
        ["Lamb rectify degenerated fixed_decay maximize adam_debias"] = () => new Lamb
        {
            LearningRate = 0.01f, Beta2 = 0.5f, WeightDecay = 0.1f, Rectify = true, DegeneratedToSgd = true, RectifyThreshold = 2,
            FixedDecay = true, GradAveraging = false, Maximize = true, AdamDebias = true,
        },
        ["Lamb adam no decoupling"] = () => new Lamb { LearningRate = 0.01f, WeightDecay = 0.1f, WeightDecouple = false, Adam = true },
        ["LARS"] = () => new LARS { LearningRate = 0.1f },
        ["LARS multi-dimensional wd dampening"] = () =>
            new LARS { LearningRate = 0.1f, MultiDimensional = true, WeightDecay = 0.01f, Dampening = 0.1f, TrustCoefficient = 0.02f },
        ["LARS multi-dimensional nesterov maximize"] = () =>
            new LARS { LearningRate = 0.1f, MultiDimensional = true, WeightDecay = 0.01f, Nesterov = true, Maximize = true },
        ["LARS multi-dimensional no momentum"] = () => new LARS { LearningRate = 0.1f, MultiDimensional = true, Momentum = 0f },
        ["NovoGrad"] = () => new NovoGrad { LearningRate = 0.01f },
        ["NovoGrad wd grad_averaging maximize"] = () => new NovoGrad { LearningRate = 0.01f, WeightDecay = 0.01f, GradAveraging = true, Maximize = true },
        ["NovoGrad decoupled fixed_decay adam_debias"] = () =>
            new NovoGrad { LearningRate = 0.01f, WeightDecay = 0.1f, WeightDecouple = true, FixedDecay = true, AdamDebias = true },
        ["SelectRule"] = () => new SelectRule(),
        ["SelectRule no clamp"] = () => new SelectRule { Clamp = false, Threshold = 0.1f },
        ["TensorStateRule"] = () => new TensorStateRule(),
        ["UniformMathRule"] = () => new UniformMathRule(),
        ["TrustRatioRule"] = () => new TrustRatioRule(),
        ["TrustRatioRule no trust"] = () => new TrustRatioRule { Trust = false, WeightDecay = 0f },
        ["SumOfSquaresRule"] = () => new SumOfSquaresRule(),
        ["NormalizedMomentum"] = () => new NormalizedMomentum(),
    };

    /// <summary>
    /// The [Kernel] entries the runtime uses and a test kernel, with uniform arguments that take
    /// each branch: each runs over arrays it writes and arrays it only reads.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, KernelCase> Kernels = new Dictionary<string, KernelCase>
    {
        // |w| < 1/2 and the other form torch picks for accuracy.
        ["Lerp small weight"] = new(1, 1, (path, w, r) => Lerp(path, w[0], r[0], -0.1f)),
        ["Lerp large weight"] = new(1, 1, (path, w, r) => Lerp(path, w[0], r[0], 0.9f)),
        ["Lookahead sync"] = new(2, 0, (path, w, _) =>
        {
            if (path is { } p)
            {
                LookaheadKernels.Sync(p, w[0], w[1], 0.3f);
            }
            else
            {
                LookaheadKernels.SyncWithRule(w[0], w[1], 0.3f);
            }
        }),
        ["Lookahead pullback first"] = new(1, 0, (path, w, _) => Pullback(path, w[0], firstSync: true)),
        ["Lookahead pullback later"] = new(1, 0, (path, w, _) => Pullback(path, w[0], firstSync: false)),
        ["EMA first"] = new(1, 1, (path, w, r) => Ema(path, w[0], r[0], first: true)),
        ["EMA later"] = new(1, 1, (path, w, r) => Ema(path, w[0], r[0], first: false)),
        ["SWA step 1"] = new(1, 1, (path, w, r) => Swa(path, w[0], r[0], step: 1)),
        ["SWA step 3"] = new(1, 1, (path, w, r) => Swa(path, w[0], r[0], step: 3)),
        ["Accumulate first"] = new(1, 1, (path, w, r) => Accumulate(path, w[0], r[0], first: true, divisor: 1f)),
        ["Accumulate last mean"] = new(1, 1, (path, w, r) => Accumulate(path, w[0], r[0], first: false, divisor: 3f)),
        ["TestKernels.Mix clamp"] = new(1, 2, (path, w, r) => Mix(path, w[0], r[0], r[1], clamp: true)),
        ["TestKernels.Mix no clamp"] = new(1, 2, (path, w, r) => Mix(path, w[0], r[0], r[1], clamp: false)),
    };

    private static void Mix(KernelPath? path, float[] target, float[] first, float[] second, bool clamp)
    {
        if (path is { } p)
        {
            TestKernels.Mix(p, target, first, second, 0.3f, clamp);
        }
        else
        {
            TestKernels.MixWithRule(target, first, second, 0.3f, clamp);
        }
    }

    private static void Lerp(KernelPath? path, float[] start, float[] end, float weight)
    {
        if (path is { } p)
        {
            LinearInterpolation.Lerp(p, start, end, weight);
        }
        else
        {
            LinearInterpolation.LerpWithRule(start, end, weight);
        }
    }

    private static void Pullback(KernelPath? path, float[] momentum, bool firstSync)
    {
        if (path is { } p)
        {
            LookaheadKernels.PullbackMomentum(p, momentum, 0.6f, firstSync);
        }
        else
        {
            LookaheadKernels.PullbackMomentumWithRule(momentum, 0.6f, firstSync);
        }
    }

    private static void Ema(KernelPath? path, float[] average, float[] parameter, bool first)
    {
        if (path is { } p)
        {
            AveragingKernels.ExponentialMovingAverage(p, average, parameter, 0.9f, first);
        }
        else
        {
            AveragingKernels.ExponentialMovingAverageWithRule(average, parameter, 0.9f, first);
        }
    }

    private static void Swa(KernelPath? path, float[] average, float[] parameter, int step)
    {
        if (path is { } p)
        {
            AveragingKernels.StochasticWeightAverage(p, average, parameter, step);
        }
        else
        {
            AveragingKernels.StochasticWeightAverageWithRule(average, parameter, step);
        }
    }

    private static void Accumulate(KernelPath? path, float[] accumulated, float[] gradient, bool first, float divisor)
    {
        if (path is { } p)
        {
            GradientAccumulationKernel.Accumulate(p, accumulated, gradient, first, divisor);
        }
        else
        {
            GradientAccumulationKernel.AccumulateWithRule(accumulated, gradient, first, divisor);
        }
    }

    /// <summary>
    /// Runs a kernel case's generated loops on <paramref name="path"/> or, when it is null, its
    /// rule element by element, over new arrays of <paramref name="length"/> (the same values for
    /// both), <paramref name="calls"/> times; returns the arrays written then the arrays read.
    /// </summary>
    public static float[][] RunKernel(KernelCase kernel, KernelPath? path, int length, int calls)
    {
        float[][] written = Enumerable.Range(0, kernel.Written).Select(i => Values(length, seed: 3000 + 31 * length + i, scale: 2f)).ToArray();
        float[][] read = Enumerable.Range(0, kernel.Read).Select(i => Values(length, seed: 4000 + 31 * length + i, scale: 1f)).ToArray();
        for (int call = 0; call < calls; call++)
        {
            kernel.Run(path, written, read);
        }

        return written.Concat(read).ToArray();
    }

    /// <summary>Every path this machine runs (the CI also runs with AVX-512, AVX2 and all intrinsics off).</summary>
    public static IEnumerable<KernelPath> SupportedPaths =>
        new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar }.Where(KernelDispatch.IsSupported);

    /// <summary>
    /// Every length 0..70 (every tail of every width), then around the larger vector multiples and
    /// the software-pipelined loops' minimums (three or four stages of 2 vectors: 96 and 128 floats
    /// on Vector512), and lengths that run many pipelined iterations with ragged ends.
    /// </summary>
    public static readonly int[] Lengths = Enumerable.Range(0, 71).Concat(new[] { 95, 96, 97, 127, 128, 129, 159, 160, 161, 255, 256, 257, 300, 1000, 1037 }).ToArray();

    /// <summary>
    /// Steps with the element-by-element oracle: the rule itself, or the interpreter for a rule
    /// with per-tensor reductions (which has no meaning for one element).
    /// </summary>
    public static void StepOracle(Optimizer optimizer)
    {
        if (optimizer.Rule.ReductionCount > 0)
        {
            optimizer.StepWithInterpreter();
        }
        else
        {
            optimizer.StepWithRule();
        }
    }

    public static IEnumerable<object[]> Paths() => SupportedPaths.Select(path => new object[] { path });

    public static IEnumerable<object[]> OptimizerAndPath() =>
        from name in Optimizers.Keys
        from path in SupportedPaths
        select new object[] { name, path };

    /// <summary>
    /// Values that stress float semantics: zeros of both signs, subnormals, huge and tiny
    /// magnitudes, the usual range; deterministic per seed.
    /// </summary>
    public static float[] Values(int length, int seed, float scale)
    {
        var random = new Random(seed);
        float[] special = { 0f, -0f, 1e-45f, -1e-45f, 1e-39f, -3e-39f, 1e30f, -1e30f, 3e38f, 1e-30f, -1e-30f, 1f, -1f, 0.5f };
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(6) == 0
                ? special[random.Next(special.Length)]
                : (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }

    /// <summary>
    /// The gradient of a quadratic plus noise, 0.5·p + noise (deterministic per step and tensor): a
    /// run whose steps depend on the parameters, so a run resumed with anything restored wrongly drifts away.
    /// </summary>
    public static void QuadraticGradient(ReadOnlySpan<float> parameter, Span<float> gradient, int step, int tensor)
    {
        float[] noise = Values(parameter.Length, seed: 1000 * step + tensor, scale: 0.5f);
        for (int i = 0; i < parameter.Length; i++)
        {
            gradient[i] = 0.5f * parameter[i] + noise[i];
        }
    }
}
