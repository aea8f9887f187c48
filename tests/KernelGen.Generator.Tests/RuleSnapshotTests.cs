using System.Linq;
using KernelGen.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Small rules, one per thing the analysis does, and the code generated for them. Each snapshot
/// was read against its rule: the comments here say what to look for in it.
/// </summary>
public class RuleSnapshotTests
{
    /// <summary>
    /// Uniform subexpressions inside varying math move to Apply: <c>1f - learningRate * decay</c>
    /// once (used twice, exported once), the uniform local <c>scale</c> as a prologue statement;
    /// <c>learningRate * grad</c> keeps reading <c>learningRate</c> as is.
    /// </summary>
    public const string Hoisting = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class Hoisting
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public float Decay { get; set; } = 0.01f;

            [UpdateRule]
            private static void Update(ref float param, float grad, ref float trace, float learningRate, float decay)
            {
                float scale = learningRate / (1f + decay);
                trace = trace * (1f - learningRate * decay) + grad;
                param = param * (1f - learningRate * decay) - scale * trace - learningRate * grad;
            }
        }
        """;

    /// <summary>
    /// A bool hyper-parameter over varying work is decided once per call: a flag (type argument)
    /// per condition, the loops specialized on it. The uniform <c>if (warmup)</c> that guards
    /// uniform work only stays a plain <c>if</c> in Apply and makes no flag.
    /// </summary>
    public const string UniformIf = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class UniformIf
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public float Momentum { get; set; } = 0.9f;
            [Hyperparameter] public bool Nesterov { get; set; }
            [Hyperparameter] public bool Warmup { get; set; }

            [UpdateRule]
            private static void Update(ref float param, float grad, ref float buffer,
                float learningRate, float momentum, bool nesterov, bool warmup, [Step] int step)
            {
                float lr = learningRate;
                if (warmup)
                {
                    lr = lr * 0.5f;
                }

                buffer = momentum * buffer + grad;
                float direction = buffer;
                if (nesterov)
                {
                    direction = grad + momentum * buffer;
                }
                else
                {
                    param -= lr * 0.001f * param;
                }

                param -= lr * direction;
            }
        }
        """;

    /// <summary>
    /// A varying if/else becomes selects: both arms run on copies, then each value they assign is
    /// chosen lane by lane. <c>extra</c> and <c>trace</c> are assigned in one arm only (the other
    /// lane keeps its value); <c>scaled</c> is local to the then-arm; the uniform <c>if (clip)</c>
    /// nested in the varying one is unswitched inside the then-arm.
    /// </summary>
    public const string VaryingIf = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class VaryingIf
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public float Limit { get; set; } = 1f;
            [Hyperparameter] public bool Clip { get; set; }

            [UpdateRule]
            private static void Update(ref float param, float grad, ref float trace,
                float learningRate, float limit, bool clip)
            {
                float update = grad;
                float extra = 0f;
                if (grad > 0f)
                {
                    float scaled = grad * learningRate;
                    update = scaled;
                    extra = param * 0.5f;
                    if (clip)
                    {
                        update = MathF.Min(update, limit * learningRate);
                    }
                }
                else
                {
                    update = -grad * learningRate;
                    trace = trace + grad;
                }

                param = param - update - extra * learningRate;
            }
        }
        """;

    /// <summary>
    /// <c>?:</c> on a varying condition is a lane-wise select (arms uniform or not); the uniform
    /// arms <c>learningRate</c> and <c>-learningRate</c> are exported values.
    /// </summary>
    public const string VaryingConditional = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class VaryingConditional
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate)
            {
                float step = grad > 0f ? learningRate : -learningRate;
                param -= param < 0f && grad < 0f ? step * 0.5f : step;
            }
        }
        """;

    /// <summary>
    /// <c>?:</c> on a uniform condition with varying arms picks an arm per call: a flag, and
    /// <c>TFlag.Value ? a : b</c> in the loops. A uniform <c>?:</c> with uniform arms is plain
    /// uniform work in Apply.
    /// </summary>
    public const string UniformConditional = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class UniformConditional
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public bool Maximize { get; set; }
            [Hyperparameter] public bool Slow { get; set; }

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate, bool maximize, bool slow)
            {
                float lr = slow ? learningRate * 0.1f : learningRate;
                float g = maximize ? -grad : grad * 1f;
                param -= lr * g;
            }
        }
        """;

    /// <summary>
    /// Per-tensor state is uniform and persists: <c>product</c> is updated once per call in Apply
    /// (through the <c>ref float</c>), from uniform values. The first varying statement reads its
    /// value from before the update, the last one the value after it: two exports, not one.
    /// </summary>
    public const string TensorState = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class TensorState
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public float Beta { get; set; } = 0.9f;

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate, float beta,
                [TensorState] ref float product, [Step] int step)
            {
                param -= product * grad;
                product = step == 1 ? beta : product * beta;
                float corrected = learningRate / (1f - product);
                param -= corrected * grad * product;
            }
        }
        """;

    /// <summary>
    /// Every allowed function: Sqrt, Abs, Max, Min, CopySign, FusedMultiplyAdd and KernelMath.Sign
    /// on varying values (a Vector form each); Pow, Exp and Log on uniform values only (in Apply).
    /// <c>Math.Abs(float)</c> is the same function as <c>MathF.Abs</c>.
    /// </summary>
    public const string Functions = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class Functions
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public float Beta { get; set; } = 0.9f;

            [UpdateRule]
            private static void Update(ref float param, float grad, ref float state, float learningRate, float beta, [Step] int step)
            {
                float magnitude = MathF.Sqrt(MathF.Abs(grad)) + Math.Abs(state);
                float high = MathF.Max(magnitude, param);
                float low = MathF.Min(high, state);
                float signed = MathF.CopySign(low, grad);
                float fused = MathF.FusedMultiplyAdd(signed, learningRate, param);
                float sign = KernelMath.Sign(grad);
                float decay = MathF.Pow(beta, step) + MathF.Exp(-learningRate) - MathF.Log(beta);
                state = sign * decay;
                param = fused - state;
            }
        }
        """;

    /// <summary>
    /// Int arithmetic on the step and an int hyper-parameter stays int (C# int division included)
    /// and is converted to float where C# converts it: <c>(float)(step + 1)</c>, not
    /// <c>(float)step + 1</c>.
    /// </summary>
    public const string IntStep = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class IntStep
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public int WarmupSteps { get; set; } = 10;

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate, int warmupSteps, [Step] int step)
            {
                int remaining = warmupSteps - step / 2;
                float warm = step < warmupSteps ? (float)step / warmupSteps : 1f;
                param -= learningRate * warm * grad / (step + 1) + remaining * 0.001f * param;
            }
        }
        """;

    /// <summary>
    /// Per-tensor reductions: two passes (a reducing pass in the canonical lane order, then the
    /// update), each norm's operand a local of its own, the results parameters of Prepare.
    /// </summary>
    public const string Reduction = """
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class Reduction
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
            [Hyperparameter] public float WeightDecay { get; set; } = 0.01f;

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate, float weightDecay)
            {
                float update = grad + weightDecay * param;
                float ratio = KernelMath.Norm(param) / (KernelMath.Norm(update) + 1e-6f);
                param -= learningRate * ratio * update;
            }
        }
        """;

    public static TheoryData<string> Rules => new()
    {
        nameof(Reduction),
        nameof(Hoisting),
        nameof(UniformIf),
        nameof(VaryingIf),
        nameof(VaryingConditional),
        nameof(UniformConditional),
        nameof(TensorState),
        nameof(Functions),
        nameof(IntStep),
    };

    public static string SourceOf(string name) =>
        (string)typeof(RuleSnapshotTests).GetField(name)!.GetRawConstantValue()!;

    [Theory]
    [MemberData(nameof(Rules))]
    public void GeneratedSourceMatchesTheSnapshot(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(SourceOf(name));

        GeneratedAssert.Clean(run);
        Assert.Equal($"Rules.{name}.KernelGen.g.cs", run.Sources.Single().HintName);
        Snapshot.Verify(run.SingleSource, "Rule." + name, "cs");
    }

    /// <summary>
    /// The IR constant of the generated file is what the runtime's interpreter (and
    /// <c>Optimizer.Add</c>, through <c>Rule</c>) parses: it must parse, and agree with the rule's
    /// parameters.
    /// </summary>
    [Theory]
    [InlineData(nameof(Hoisting))]
    [InlineData(nameof(UniformIf))]
    [InlineData(nameof(VaryingIf))]
    [InlineData(nameof(VaryingConditional))]
    [InlineData(nameof(UniformConditional))]
    [InlineData(nameof(TensorState))]
    [InlineData(nameof(Functions))]
    [InlineData(nameof(IntStep))]
    [InlineData(nameof(Reduction))]
    public void TheRuleIrParsesInTheRuntime(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(SourceOf(name));

        UpdateRule rule = UpdateRule.Parse(RuleIrOf(run, "Rules." + name));

        Assert.Equal(name, rule.Name);
        Assert.Equal("param", rule.ParameterName);
        Assert.Equal("grad", rule.GradientName);
    }

    /// <summary>
    /// The determinism contract on each rule: every ISA path of this machine gives the bits of
    /// calling the rule element by element, zeros, infinities and NaN in the inputs included.
    /// </summary>
    [Theory]
    [InlineData(nameof(Hoisting))]
    [InlineData(nameof(UniformIf))]
    [InlineData(nameof(VaryingIf))]
    [InlineData(nameof(VaryingConditional))]
    [InlineData(nameof(UniformConditional))]
    [InlineData(nameof(TensorState))]
    [InlineData(nameof(Functions))]
    [InlineData(nameof(IntStep))]
    public void GeneratedKernelsGiveTheRulesBits(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(SourceOf(name));

        Assert.Empty(KernelOracle.Mismatches(run, "Rules." + name, seed: name.Length));
    }

    /// <summary>The value of the generated <c>RuleIr</c> constant, read from the output compilation.</summary>
    internal static string RuleIrOf(GeneratorRun run, string typeName)
    {
        INamedTypeSymbol type = run.Output.GetTypeByMetadataName(typeName) ?? throw new Xunit.Sdk.XunitException(typeName + " is not in the output:\n" + run.Describe());
        return (string)type.GetMembers("RuleIr").OfType<IFieldSymbol>().Single().ConstantValue!;
    }
}
