namespace KernelGen.Generator.Emission;

/// <summary>
/// Every type the generated code names, fully qualified, in one place: when the runtime's
/// namespaces move, this file is the one to change. (The attributes the parser looks for are the
/// parser's business: see RuleSyntaxParser; the types of the functions a rule calls are the
/// catalog's: see RuleFunctions.)
/// </summary>
internal static class TypeNames
{
    // The runtime: what a generated optimizer derives from, calls and passes.
    public const string Optimizer = "global::KernelGen.Optimizer";
    public const string ParameterTensor = "global::KernelGen.ParameterTensor";
    public const string UpdateRule = "global::KernelGen.UpdateRule";
    public const string KernelPath = "global::KernelGen.KernelPath";
    public const string KernelDispatch = "global::KernelGen.KernelDispatch";
    public const string Guard = "global::KernelGen.Internal.Guard";
    public const string Reduction = "global::KernelGen.Internal.Reduction";
    public const string KernelTuning = "global::KernelGen.Internal.KernelTuning";
    public const string IFlag = "global::KernelGen.Internal.IFlag";
    public const string True = "global::KernelGen.Internal.True";
    public const string False = "global::KernelGen.Internal.False";

    // The framework.
    public const string MathF = "global::System.MathF";
    public const string Span = "global::System.Span<float>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
    // A Span, not a ReadOnlySpan: Mono's ReadOnlySpan indexer lacks the modreq the .NET Standard 2.1
    // reference gives it, so a foreach over a ReadOnlySpan of tensors fails there (MissingMethodException).
    public const string ParameterTensors = "global::System.Span<" + ParameterTensor + ">";
    public const string HyperparameterValues = "global::System.Span<double>";
    public const string StringList = "global::System.Collections.Generic.IReadOnlyList<string>";
    public const string NotSupportedException = "global::System.NotSupportedException";
    public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    public const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>
    /// On every method a step runs: compiled fully optimized at its first call (no tier-0 code, no
    /// on-stack replacement), so the first steps after a warm-up run at the steady state's speed.
    /// </summary>
    public const string OptimizedFromFirstCall =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    /// <summary>The vector of floats of <paramref name="width"/> bits, e.g. <c>Vector256&lt;float&gt;</c>; <c>Vector&lt;float&gt;</c> for <see cref="CSharpWriter.VectorTWidth"/>.</summary>
    public static string Vector(int width) => width == CSharpWriter.VectorTWidth
        ? "global::System.Numerics.Vector<float>"
        : $"global::System.Runtime.Intrinsics.Vector{width}<float>";

    /// <summary>
    /// The static class of the vectors of <paramref name="width"/> bits, e.g. <c>Vector256</c>; for
    /// <c>Vector&lt;float&gt;</c> the runtime's class that gives its operations the same names and the rule's bits.
    /// </summary>
    public static string VectorClass(int width) => width == CSharpWriter.VectorTWidth
        ? "global::KernelGen.Internal.PortableVector"
        : $"global::System.Runtime.Intrinsics.Vector{width}";

    /// <summary>The name of a vector path, as <c>KernelPath</c> and the loops' names spell it: <c>Vector256</c>, <c>VectorT</c>.</summary>
    public static string PathName(int width) => width == CSharpWriter.VectorTWidth ? "VectorT" : "Vector" + width;
}
