using System.Linq;
using KernelGen.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Model;

/// <summary>
/// What the compilation's target framework gives the generated code, read from the referenced
/// framework's API surface (not from the target framework's name, which a compilation does not carry).
/// </summary>
/// <param name="VectorMinMaxMatchMathF">
/// Whether <c>Vector128/256/512.Max/Min</c> give <c>MathF.Max/Min</c>'s bits lane by lane. True from
/// .NET 9 on, the release that made them IEEE 754 maximum/minimum and moved the old behaviour to
/// the new <c>MaxNative/MinNative</c>; so the presence of <c>Vector128.MaxNative</c> tells. On .NET 8
/// the kernels call <c>KernelGen.KernelMath.Max/Min</c>, which give those bits there too.
/// </param>
/// <param name="HasRuntime">Whether the KernelGen runtime (its attributes) is referenced.</param>
/// <param name="Portable">
/// Whether the kernels get the portable form (Vector&lt;T&gt; and scalar loops, flags read from
/// instances): the compilation has no System.Runtime.Intrinsics with Vector512 (.NET Standard
/// 2.1, Unity, Mono), or the KernelGen it references is the .NET Standard build, whose flags have
/// no static abstract member.
/// </param>
internal sealed record TargetFeatures(bool VectorMinMaxMatchMathF, bool HasRuntime, bool Portable = false)
{
    /// <summary>What the current .NET gives: the features the generator's own tests assume.</summary>
    public static readonly TargetFeatures Current = new(VectorMinMaxMatchMathF: true, HasRuntime: true);

    /// <summary>A .NET Standard 2.1 target with the runtime referenced.</summary>
    public static readonly TargetFeatures NetStandard = new(VectorMinMaxMatchMathF: true, HasRuntime: true, Portable: true);

    public static TargetFeatures From(Compilation compilation)
    {
        INamedTypeSymbol? vector128 = compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector128");
        // Without Vector128 at all there are no such loops to write.
        bool minMaxExact = vector128 is null || !vector128.GetMembers("MaxNative").IsEmpty;
        return new TargetFeatures(minMaxExact, compilation.GetTypeByMetadataName(RuleSyntaxParser.OptimizerAttribute) is not null, IsPortable(compilation));
    }

    private static bool IsPortable(Compilation compilation)
    {
        if (compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector512`1") is null)
        {
            return true;
        }

        INamedTypeSymbol? flag = compilation.GetTypeByMetadataName("KernelGen.Internal.IFlag");
        return flag?.GetMembers("Value").FirstOrDefault() is { IsStatic: false };
    }
}
