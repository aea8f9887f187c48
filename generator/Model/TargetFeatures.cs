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
internal sealed record TargetFeatures(bool VectorMinMaxMatchMathF, bool HasRuntime)
{
    /// <summary>What the current .NET gives: the features the generator's own tests assume.</summary>
    public static readonly TargetFeatures Current = new(VectorMinMaxMatchMathF: true, HasRuntime: true);

    public static TargetFeatures From(Compilation compilation)
    {
        INamedTypeSymbol? vector128 = compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector128");
        // Without Vector128 at all there are no such loops to write.
        bool minMaxExact = vector128 is null || !vector128.GetMembers("MaxNative").IsEmpty;
        return new TargetFeatures(minMaxExact, compilation.GetTypeByMetadataName(RuleSyntaxParser.OptimizerAttribute) is not null);
    }
}
