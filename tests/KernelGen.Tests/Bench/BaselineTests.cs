using System.Collections.Generic;
using System.Linq;
using KernelGen.Bench.Baselines;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>The baselines compute what the optimizer computes, so no column of the table times the wrong work.</summary>
public class BaselineTests
{
    public static IEnumerable<object[]> ProfilesAndPaths() =>
        from name in BuiltInOptimizers.Names
        from path in KernelCases.SupportedPaths
        select new object[] { name, path };

    public static IEnumerable<object[]> Profiles() =>
        from name in BuiltInOptimizers.Names
        select new object[] { name };

    [Theory]
    [MemberData(nameof(ProfilesAndPaths))]
    public void BaselinesMatchTheOptimizerWithinTolerance(string optimizer, KernelPath path)
    {
        BenchProfile profile = BenchProfiles.For(optimizer);
        Assert.NotNull(profile.Naive);
        Assert.NotNull(profile.TensorPrimitives);
        Assert.Empty(BaselineCheck.Run(profile, path));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void BaselinesStillMatchAfterTwelveSteps(string optimizer)
    {
        // Past the first steps' special cases: RAdam rectifies from step 6 on, ADOPT's clip grows with t.
        Assert.Empty(BaselineCheck.Run(BenchProfiles.For(optimizer), steps: 12));
    }

    /// <summary>A new optimizer fails here until its baselines are written in bench/Baselines/Optimizers.</summary>
    [Fact]
    public void EveryBuiltInOptimizerHasBothBaselines()
    {
        string[] missing = BuiltInOptimizers.Names
            .Where(name => !BenchProfiles.IsWritten(name) || BenchProfiles.For(name).Naive is null || BenchProfiles.For(name).TensorPrimitives is null)
            .ToArray();
        Assert.True(missing.Length == 0,
            $"Built-in optimizers without a written profile with naive and TensorPrimitives baselines (write them in bench/Baselines/Optimizers): {string.Join(", ", missing)}");
    }

    [Fact]
    public void EveryBuiltInOptimizerHasAProfile()
    {
        Assert.Equal(BuiltInOptimizers.Names.OrderBy(n => n), BenchProfiles.All().Select(p => p.Name).OrderBy(n => n));
        Assert.All(BenchProfiles.All(), p => Assert.Contains(p.Arrays, a => a.Access == ArrayAccess.Read));
    }

    [Fact]
    public void AnUnknownOptimizerIsRefusedByName()
    {
        var e = Assert.Throws<System.ArgumentException>(() => BenchProfiles.For("Lion9000"));
        Assert.Contains("Lion9000", e.Message);
    }

    /// <summary>The baselines read their settings from the optimizer they stand beside: another learning rate, and they still agree.</summary>
    [Theory]
    [InlineData("AdamW", 0.01)]
    [InlineData("NAdam", 0.01)]
    [InlineData("ASGD", 0.05)]
    [InlineData("ScheduleFreeSGD", 0.5)]
    [InlineData("LARS", 0.01)]
    public void TheBaselinesFollowTheOptimizersSettings(string optimizer, double learningRate)
    {
        BenchProfile profile = BenchProfiles.For(optimizer);
        var changed = new BenchProfile(profile.Name, $"lr={learningRate}", o =>
            {
                profile.Configure(o);
                Assert.True(o.TrySetHyperparameter("lr", learningRate));
            },
            profile.Arrays, profile.Arithmetic, profile.Naive, profile.TensorPrimitives) { ReducingPass = profile.ReducingPass };

        Assert.Empty(BaselineCheck.Run(changed));
    }

    [Fact]
    public void ABaselineThatSkipsWorkIsCaught()
    {
        BenchProfile adamW = BenchProfiles.For("AdamW");
        var lazy = new BenchProfile("AdamW", adamW.Settings, adamW.Configure, adamW.Arrays, adamW.Arithmetic,
            naive: static (_, _) => static _ => { }, tensorPrimitives: adamW.TensorPrimitives);

        IReadOnlyList<string> problems = BaselineCheck.Run(lazy);
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Contains("naive", p));
    }

    [Fact]
    public void AProfileNamingAnArrayTheRuleLacksIsRefused()
    {
        // The roofline and the checks find arrays by the rule's names: a typo must not silently
        // drop an array from the traffic the roofline moves.
        BenchProfile adamW = BenchProfiles.For("AdamW");
        var wrong = new BenchProfile("AdamW", adamW.Settings, adamW.Configure,
            new[] { new StepArray("param", ArrayAccess.ReadWrite), new StepArray("grad", ArrayAccess.Read), new StepArray("velocity", ArrayAccess.ReadWrite) },
            adamW.Arithmetic, null, null);
        Assert.Throws<System.ArgumentException>(() => BaselineCheck.Run(wrong));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void TheRooflineLeavesValuesAsTheyWereWhenTimed(string optimizer)
    {
        BenchSubject subject = BenchSubject.Create(BenchProfiles.For(optimizer), 1037);
        subject.KernelGen.Step();
        subject.KernelGen.Step();
        float[][] before = subject.Profile.Arrays.Select(a => subject.Arrays.Array(a.Name).ToArray()).ToArray();
        subject.Roofline.Step();
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i], subject.Arrays.Array(subject.Profile.Arrays[i].Name).ToArray());
        }
    }

    [Fact]
    public void TheTrafficCountsTheReducingPassAndWriteOnlyArrays()
    {
        BenchProfile lamb = BenchProfiles.For("Lamb");
        Assert.Equal(16 + 28, lamb.BytesPerElement);
        Assert.StartsWith("reducing pass grad r, expAvg r, expAvgSq r, param r; update param rw", lamb.ArraysText);
        BenchProfile asgd = BenchProfiles.For("ASGD");
        Assert.Equal(8 + 4 + 4, asgd.BytesPerElement);
        Assert.Contains("average w", asgd.ArraysText);
    }
}
