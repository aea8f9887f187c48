using System.Collections.Generic;
using System.Linq;
using KernelGen.Bench.Baselines;
using KernelGen.Tests.Kernels;
using Xunit;

namespace KernelGen.Tests.Bench;

/// <summary>The baselines compute what the optimizer computes, so no column of the table times the wrong work.</summary>
public class BaselineTests
{
    public static IEnumerable<object[]> WrittenProfilesAndPaths() =>
        from name in BuiltInOptimizers.Names
        where BenchProfiles.IsWritten(name)
        from path in KernelCases.SupportedPaths
        select new object[] { name, path };

    [Theory]
    [MemberData(nameof(WrittenProfilesAndPaths))]
    public void BaselinesMatchTheOptimizerWithinTolerance(string optimizer, KernelPath path)
    {
        BenchProfile profile = BenchProfiles.For(optimizer);
        Assert.NotNull(profile.Naive);
        Assert.NotNull(profile.TensorPrimitives);
        Assert.Empty(BaselineCheck.Run(profile, path));
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

    [Fact]
    public void ABaselineThatSkipsWorkIsCaught()
    {
        BenchProfile adamW = BenchProfiles.For("AdamW");
        var lazy = new BenchProfile("AdamW", adamW.Settings, adamW.Configure, adamW.Arrays, adamW.Arithmetic,
            naive: static _ => static _ => { }, tensorPrimitives: adamW.TensorPrimitives);

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

    [Fact]
    public void TheRooflineLeavesValuesAsTheyWereWhenTimed()
    {
        BenchSubject subject = BenchSubject.Create(BenchProfiles.For("AdamW"), 1037);
        subject.KernelGen.Step();
        float[][] before = subject.Profile.Arrays.Select(a => subject.Arrays.Array(a.Name).ToArray()).ToArray();
        subject.Roofline.Step();
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i], subject.Arrays.Array(subject.Profile.Arrays[i].Name).ToArray());
        }
    }
}
