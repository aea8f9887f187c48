using System;

namespace KernelGen;

/// <summary>
/// Marks a static scalar method of a <c>static partial</c> class as an element-wise kernel: the
/// generator adds, beside it, a method of the same name over spans that runs the method's body on
/// every element with the same fused loops as an optimizer's rule (Vector512, Vector256, Vector128,
/// scalar; the bits of calling the method element by element), plus <c>NameWithRule</c>, the
/// element-by-element oracle. Parameters: a <c>ref float</c> becomes a <c>Span&lt;float&gt;</c>
/// read and written; a <c>float</c> a <c>ReadOnlySpan&lt;float&gt;</c> read; a parameter marked
/// <see cref="UniformAttribute"/>, and every <c>int</c> or <c>bool</c>, is one value for all
/// elements. The body is written in the update-rule language. A kernel has no gradient, no
/// optimizer settings and no step counter: the caller passes what it needs as uniform arguments.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class KernelAttribute : Attribute
{
}

/// <summary>
/// Marks a <c>float</c> parameter of a <see cref="KernelAttribute"/> method as one value for all
/// elements (ISPC's <c>uniform</c>) rather than a span read element by element.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class UniformAttribute : Attribute
{
}
