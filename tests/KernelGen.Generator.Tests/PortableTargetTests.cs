using System.Linq;
using KernelGen.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The portable form, for a compilation without System.Runtime.Intrinsics (.NET Standard 2.1:
/// Unity, Mono): a Vector&lt;float&gt; loop (KernelPath.VectorT) and the scalar loop, flags read as
/// <c>default(TFlag).Value</c>, and it compiles against .NET Standard 2.1 and the runtime's
/// netstandard2.1 build without a warning. Its bits are checked under Mono by eng/check-mono.sh.
/// </summary>
public class PortableTargetTests
{
    /// <summary>
    /// What to look for: only the VectorT and scalar loops; <c>VectorT.Min</c> (PortableVector,
    /// MathF's NaN and signed-zero semantics) for <c>MathF.Min</c>; <c>VectorT.Negate</c> for
    /// <c>-grad</c>; <c>default(TClip).Value</c>; ApplyWithRule reading the gradient by reference.
    /// </summary>
    [Theory]
    [InlineData(nameof(RuleSnapshotTests.VaryingIf))]
    [InlineData(nameof(RuleSnapshotTests.UniformConditional))]
    [InlineData(nameof(RuleSnapshotTests.Reduction))]
    public void GeneratedSourceMatchesTheSnapshot(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CompileNetStandard(("Rule.cs", RuleSnapshotTests.SourceOf(name))));

        GeneratedAssert.Clean(run);
        Assert.DoesNotContain("System.Runtime.Intrinsics", run.SingleSource);
        Snapshot.Verify(run.SingleSource, "Portable.Rule." + name, "cs");
    }

    /// <summary>Every built-in, as the runtime's netstandard2.1 build compiles it, compiles clean in the portable form.</summary>
    [Fact]
    public void EveryBuiltInCompilesForNetStandard()
    {
        foreach (string file in BuiltInOptimizers.Names.Select(BuiltInSources.FileOf).Distinct())
        {
            GeneratorRun run = BuiltInSources.Generate(file, netStandard: true);

            GeneratedAssert.Clean(run, files: BuiltInSources.CountIn(file));
            Assert.All(run.Sources, source => Assert.Contains("LoopVectorT", source.Text));
        }
    }

    /// <summary>
    /// Unity compiles C# 9: the portable form has no file-scoped namespace and no scoped parameter
    /// (a reducing pass takes its lane sums from a per-thread array), and a C# 9 project with a
    /// uniform <c>if</c>, a varying <c>?:</c> and a reduction builds clean.
    /// </summary>
    [Fact]
    public void ThePortableFormIsCSharp9()
    {
        const string rules = """
            using System;
            using KernelGen;

            namespace Game
            {
                [Optimizer]
                internal sealed partial class Clamped
                {
                    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
                    [Hyperparameter] public bool Decay { get; set; } = true;

                    [UpdateRule]
                    private static void Update(ref float param, float grad, ref float velocity, float learningRate, bool decay)
                    {
                        velocity = 0.9f * velocity + grad;
                        float step = velocity > 0f ? MathF.Min(velocity, 0.5f) : -velocity;
                        if (decay)
                        {
                            step = step + 0.01f * param;
                        }

                        param = param - learningRate * step;
                    }
                }

                [Optimizer]
                internal sealed partial class Normed
                {
                    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;

                    [UpdateRule]
                    private static void Update(ref float param, float grad, float learningRate)
                    {
                        param = param - learningRate * grad / (KernelMath.Norm(grad) + 1e-6f);
                    }
                }
            }
            """;
        CSharpParseOptions csharp9 = GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp9);
        CSharpCompilation compilation = GeneratorHarness.CompileNetStandard(("Rules.cs", rules));
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(rules, csharp9, "Rules.cs"));

        GeneratorRun run = GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(csharp9));

        GeneratedAssert.Clean(run, files: 2);
        Assert.Contains(run.Sources, source => source.Text.Contains("PortableLaneSums()"));
    }

    /// <summary>The same rule against .NET keeps the intrinsics' loops: the target decides, not a define.</summary>
    [Fact]
    public void TheTargetDecidesTheForm()
    {
        string rule = RuleSnapshotTests.SourceOf(nameof(RuleSnapshotTests.VaryingIf));

        string modern = GeneratorHarness.Run(rule).SingleSource;
        string portable = GeneratorHarness.Run(GeneratorHarness.CompileNetStandard(("Rule.cs", rule))).SingleSource;

        Assert.Contains("Loop512", modern);
        Assert.DoesNotContain("LoopVectorT", modern);
        Assert.Contains("LoopVectorT", portable);
        Assert.DoesNotContain("Loop512", portable);
    }
}
