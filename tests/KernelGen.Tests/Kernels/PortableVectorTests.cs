using System;
using System.Linq;
using System.Numerics;
using KernelGen.Internal;
using KernelGen.Language;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>
/// The Vector&lt;float&gt; forms the .NET Standard build's VectorT loops call give MathF's bits lane
/// by lane, NaN payloads and signed zeros included. (Here Vector&lt;T&gt; is accelerated; its
/// software form runs under Mono in eng/check-mono.sh.)
/// </summary>
public class PortableVectorTests
{
    private static readonly float[] Values =
    {
        0f, -0f, 1f, -1f, 0.5f, -2.5f, 1e-40f, -1e-40f, float.MaxValue, float.MinValue, float.Epsilon,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN,
        BitConverter.Int32BitsToSingle(0x7FC00001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFA00000)),
    };

    public static TheoryData<string> Unary => new() { "Negate", "Abs", "Sqrt", "Sign" };

    public static TheoryData<string> Binary => new() { "Min", "Max", "CopySign" };

    [Theory]
    [MemberData(nameof(Unary))]
    public void UnaryFormsGiveTheScalarBits(string name)
    {
        (Func<float, float> scalar, Func<Vector<float>, Vector<float>> vector) = name switch
        {
            "Negate" => ((Func<float, float>)(x => -x), (Func<Vector<float>, Vector<float>>)PortableVector.Negate),
            "Abs" => (MathF.Abs, PortableVector.Abs),
            "Sqrt" => (MathF.Sqrt, PortableVector.Sqrt),
            _ => (KernelMath.Sign, KernelMath.Sign),
        };
        foreach (float x in Values)
        {
            AssertLanes(scalar(x), vector(new Vector<float>(x)), $"{name}({x})");
        }
    }

    [Theory]
    [MemberData(nameof(Binary))]
    public void BinaryFormsGiveTheScalarBits(string name)
    {
        (Func<float, float, float> scalar, Func<Vector<float>, Vector<float>, Vector<float>> vector) = name switch
        {
            "Min" => ((Func<float, float, float>)MathF.Min, (Func<Vector<float>, Vector<float>, Vector<float>>)PortableVector.Min),
            "Max" => (MathF.Max, PortableVector.Max),
            _ => (MathF.CopySign, PortableVector.CopySign),
        };
        foreach (float x in Values)
        {
            foreach (float y in Values)
            {
                AssertLanes(scalar(x, y), vector(new Vector<float>(x), new Vector<float>(y)), $"{name}({x}, {y})");
            }
        }
    }

    /// <summary>
    /// Every function a rule may apply per element has a Vector&lt;float&gt; form where the generated
    /// VectorT loops look for it: MathF's in PortableVector, the others overloaded on their own type.
    /// </summary>
    [Fact]
    public void EveryPerElementFunctionHasAPortableForm()
    {
        foreach (RuleFunctionInfo function in RuleFunctions.All.Where(f => f.Domain == FunctionDomain.PerElement))
        {
            Type owner = function.IsMathF ? typeof(PortableVector) : typeof(PortableVector).Assembly.GetType(function.TypeName, throwOnError: true)!;
            Type[] parameters = Enumerable.Repeat(typeof(Vector<float>), function.Arity).ToArray();
            Assert.True(owner.GetMethod(function.MethodName, parameters)?.ReturnType == typeof(Vector<float>), $"{owner.Name}.{function.MethodName} has no Vector<float> form.");
        }
    }

    private static void AssertLanes(float expected, Vector<float> actual, string what)
    {
        for (int lane = 0; lane < Vector<float>.Count; lane++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[lane]),
                $"{what}: MathF gives 0x{BitConverter.SingleToInt32Bits(expected):x8}, lane {lane} 0x{BitConverter.SingleToInt32Bits(actual[lane]):x8}");
        }
    }
}
