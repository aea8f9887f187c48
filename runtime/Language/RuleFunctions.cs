using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Language;

// The functions of the update-rule language, listed once. This file is compiled into the runtime
// (the interpreter reads the IR with it) and linked into the generator (which parses C# calls,
// classifies them and writes them out with it), so both sides always agree on the language.
// It compiles as netstandard2.0 (the generator) and as the runtime's target alike.

/// <summary>Where a rule may apply a function.</summary>
internal enum FunctionDomain
{
    /// <summary>On any value, varying per element or uniform: it has a vector form with the same bits lane by lane.</summary>
    PerElement,

    /// <summary>On uniform values only (hyper-parameters, the step, per-tensor state): it has no vector form with the same bits.</summary>
    UniformOnly,

    /// <summary>A per-tensor reduction: its operand varies per element, its result is one value for the whole tensor.</summary>
    Reduction,
}

/// <summary>A function a rule may call.</summary>
internal enum RuleFunction
{
    Sqrt,
    Abs,
    Max,
    Min,
    CopySign,
    FusedMultiplyAdd,
    Sign,
    Pow,
    Exp,
    Log,
    Tanh,
    SumOfSquares,
    Norm,
}

/// <summary>One function of the rule language: how C# names it, how the IR names it, and where it may be applied.</summary>
/// <param name="Function">The function.</param>
/// <param name="TypeName">The C# type that declares it, in full (<c>System.MathF</c>, <c>KernelGen.KernelMath</c>).</param>
/// <param name="MethodName">The C# method (every parameter and the result are <c>float</c>).</param>
/// <param name="IrToken">Its name in the IR's <c>(call TOKEN ...)</c>.</param>
/// <param name="Arity">How many operands it takes.</param>
/// <param name="Domain">Where it may be applied.</param>
internal sealed record RuleFunctionInfo(RuleFunction Function, string TypeName, string MethodName, string IrToken, int Arity, FunctionDomain Domain)
{
    /// <summary>The type's short name, as a rule writes it (<c>MathF</c>, <c>KernelMath</c>).</summary>
    public string ShortTypeName => TypeName.Substring(TypeName.LastIndexOf('.') + 1);

    /// <summary>The call as a rule writes it, e.g. <c>MathF.Sqrt</c>.</summary>
    public string CSharpName => ShortTypeName + "." + MethodName;

    /// <summary>Whether it is declared in <c>System.MathF</c> (whose <c>float</c> overloads <c>System.Math</c> repeats).</summary>
    public bool IsMathF => TypeName == RuleFunctions.MathFType;
}

/// <summary>The catalog of the rule language's functions.</summary>
internal static class RuleFunctions
{
    public const string MathFType = "System.MathF";
    public const string MathType = "System.Math";
    public const string KernelMathType = "KernelGen.KernelMath";

    /// <summary>Every function, in the order of <see cref="RuleFunction"/> (<see cref="Of"/> indexes by it; a test keeps them in step).</summary>
    public static readonly IReadOnlyList<RuleFunctionInfo> All = new[]
    {
        new RuleFunctionInfo(RuleFunction.Sqrt, MathFType, "Sqrt", "sqrt", 1, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.Abs, MathFType, "Abs", "abs", 1, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.Max, MathFType, "Max", "max", 2, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.Min, MathFType, "Min", "min", 2, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.CopySign, MathFType, "CopySign", "copysign", 2, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.FusedMultiplyAdd, MathFType, "FusedMultiplyAdd", "fma", 3, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.Sign, KernelMathType, "Sign", "sign", 1, FunctionDomain.PerElement),
        new RuleFunctionInfo(RuleFunction.Pow, MathFType, "Pow", "pow", 2, FunctionDomain.UniformOnly),
        new RuleFunctionInfo(RuleFunction.Exp, MathFType, "Exp", "exp", 1, FunctionDomain.UniformOnly),
        new RuleFunctionInfo(RuleFunction.Log, MathFType, "Log", "log", 1, FunctionDomain.UniformOnly),
        new RuleFunctionInfo(RuleFunction.Tanh, MathFType, "Tanh", "tanh", 1, FunctionDomain.UniformOnly),
        new RuleFunctionInfo(RuleFunction.SumOfSquares, KernelMathType, "SumOfSquares", "sumsq", 1, FunctionDomain.Reduction),
        new RuleFunctionInfo(RuleFunction.Norm, KernelMathType, "Norm", "norm", 1, FunctionDomain.Reduction),
    };

    /// <summary>The entry of <paramref name="function"/>.</summary>
    public static RuleFunctionInfo Of(RuleFunction function) => All[(int)function];

    /// <summary>Whether <paramref name="function"/> reduces over the tensor (its result is uniform).</summary>
    public static bool IsReduction(RuleFunction function) => Of(function).Domain == FunctionDomain.Reduction;

    /// <summary>The function the IR names <paramref name="token"/>, or null.</summary>
    public static RuleFunctionInfo? FromIrToken(string token) => All.FirstOrDefault(f => f.IrToken == token);

    /// <summary>
    /// The function a C# call names: <paramref name="typeName"/> in full, a method taking
    /// <paramref name="arity"/> floats and returning a float; <c>System.Math</c>'s float overloads
    /// are <c>System.MathF</c>'s. Null when the call is not in the language.
    /// </summary>
    public static RuleFunctionInfo? FromCSharp(string typeName, string methodName, int arity) =>
        All.FirstOrDefault(f =>
            (f.TypeName == typeName || (typeName == MathType && f.IsMathF)) &&
            f.MethodName == methodName &&
            f.Arity == arity);

    /// <summary>The calls a rule may make, as its author writes them, for messages: "MathF.Sqrt, Abs, ...; KernelMath.Sign, ...".</summary>
    public static string CSharpList() =>
        string.Join("; ", All.GroupBy(f => f.ShortTypeName).Select(g => g.Key + "." + string.Join(", ", g.Select(f => f.MethodName))));

    /// <summary>The IR's function tokens, for messages: "sqrt, abs, ... and norm".</summary>
    public static string IrList()
    {
        string[] tokens = All.Select(f => f.IrToken).ToArray();
        return string.Join(", ", tokens, 0, tokens.Length - 1) + " and " + tokens[tokens.Length - 1];
    }
}
