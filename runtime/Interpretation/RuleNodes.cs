using System;
using System.Runtime.CompilerServices;
using KernelGen.Language;

namespace KernelGen;

// The tree of a parsed rule. Names are resolved to slots of a Frame at parse time, and every
// expression node is typed by its class (float, int or bool). Before the first run in a given T the
// tree is compiled once into closures (Compile<T>), so evaluation does no lookups, no generic
// virtual dispatch and no boxing: float values are T, ints are int and bools are bool.

/// <summary>The values one evaluation of a rule body reads and writes.</summary>
internal sealed class Frame<T>
    where T : struct
{
    public readonly T[] Floats;
    public readonly int[] Ints;
    public readonly bool[] Bools;

    /// <summary>Per local (by local id): whether it holds a value.</summary>
    public readonly bool[] Assigned;

    /// <summary>Per reduction: in the reducing pass, the operand of the current element; in the update pass, the result.</summary>
    public readonly T[] Reductions;

    /// <summary>Whether this is the reducing pass, which records operands and writes nothing.</summary>
    public bool Reducing;

    public Frame(RuleLayout layout)
    {
        Floats = new T[layout.FloatSlotCount];
        Ints = new int[layout.IntSlotCount];
        Bools = new bool[layout.BoolSlotCount];
        Assigned = new bool[layout.LocalCount];
        Reductions = new T[layout.ReductionCount];
    }
}

/// <summary>The float functions, as <see cref="MathF"/> for float and <see cref="Math"/> for double.</summary>
internal static class RuleMath
{
    public static bool IsSupported<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    // Reinterpretations of a T the caller has checked is float or double (Unsafe.As, not BitCast:
    // .NET 8's BitCast constrains T to structs).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float F<T>(T x) => Unsafe.As<T, float>(ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double D<T>(T x) => Unsafe.As<T, double>(ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T R<T>(float x) => Unsafe.As<float, T>(ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T R<T>(double x) => Unsafe.As<double, T>(ref x);

    private static NotSupportedException Unsupported<T>() =>
        new($"The rule interpreter runs in float or double, not {typeof(T).Name}.");

    // The arithmetic of the rule's float type. Without generic math (.NET Standard 2.1 has none)
    // each tests T once; the JIT folds the test away in each instantiation.
    public static T Add<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(F(x) + F(y));
        if (typeof(T) == typeof(double)) return R<T>(D(x) + D(y));
        throw Unsupported<T>();
    }

    public static T Subtract<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(F(x) - F(y));
        if (typeof(T) == typeof(double)) return R<T>(D(x) - D(y));
        throw Unsupported<T>();
    }

    public static T Multiply<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(F(x) * F(y));
        if (typeof(T) == typeof(double)) return R<T>(D(x) * D(y));
        throw Unsupported<T>();
    }

    public static T Divide<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(F(x) / F(y));
        if (typeof(T) == typeof(double)) return R<T>(D(x) / D(y));
        throw Unsupported<T>();
    }

    public static T Negate<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(-F(x));
        if (typeof(T) == typeof(double)) return R<T>(-D(x));
        throw Unsupported<T>();
    }

    public static bool LessThan<T>(T x, T y) => typeof(T) == typeof(float) ? F(x) < F(y) : D(x) < D(y);

    public static bool LessThanOrEqual<T>(T x, T y) => typeof(T) == typeof(float) ? F(x) <= F(y) : D(x) <= D(y);

    public static bool GreaterThan<T>(T x, T y) => typeof(T) == typeof(float) ? F(x) > F(y) : D(x) > D(y);

    public static bool GreaterThanOrEqual<T>(T x, T y) => typeof(T) == typeof(float) ? F(x) >= F(y) : D(x) >= D(y);

    public static bool Equal<T>(T x, T y) => typeof(T) == typeof(float) ? F(x) == F(y) : D(x) == D(y);

    public static bool NotEqual<T>(T x, T y) => typeof(T) == typeof(float) ? F(x) != F(y) : D(x) != D(y);

    /// <summary>A float literal: the float itself, or its widened value in double.</summary>
    public static T FromFloat<T>(float x)
    {
        if (typeof(T) == typeof(float)) return R<T>(x);
        if (typeof(T) == typeof(double)) return R<T>((double)x);
        throw Unsupported<T>();
    }

    /// <summary>A float hyper-parameter: <c>(float)x</c>, or <c>x</c> in double.</summary>
    public static T FromDouble<T>(double x)
    {
        if (typeof(T) == typeof(float)) return R<T>((float)x);
        if (typeof(T) == typeof(double)) return R<T>(x);
        throw Unsupported<T>();
    }

    /// <summary>As C# converts an int: <c>(float)i</c>, or <c>(double)i</c>.</summary>
    public static T FromInt<T>(int i)
    {
        if (typeof(T) == typeof(float)) return R<T>((float)i);
        if (typeof(T) == typeof(double)) return R<T>((double)i);
        throw Unsupported<T>();
    }

    public static T Sqrt<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Sqrt(F(x)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Sqrt(D(x)));
        throw Unsupported<T>();
    }

    public static T Abs<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Abs(F(x)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Abs(D(x)));
        throw Unsupported<T>();
    }

    public static T Max<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Max(F(x), F(y)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Max(D(x), D(y)));
        throw Unsupported<T>();
    }

    public static T Min<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Min(F(x), F(y)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Min(D(x), D(y)));
        throw Unsupported<T>();
    }

    public static T CopySign<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.CopySign(F(x), F(y)));
        if (typeof(T) == typeof(double)) return R<T>(Math.CopySign(D(x), D(y)));
        throw Unsupported<T>();
    }

    public static T Fma<T>(T x, T y, T z)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.FusedMultiplyAdd(F(x), F(y), F(z)));
        if (typeof(T) == typeof(double)) return R<T>(Math.FusedMultiplyAdd(D(x), D(y), D(z)));
        throw Unsupported<T>();
    }

    public static T Sign<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(KernelMath.Sign(F(x)));
        if (typeof(T) == typeof(double))
        {
            double d = D(x);
            return R<T>(d > 0d ? 1d : d < 0d ? -1d : d);
        }

        throw Unsupported<T>();
    }

    public static T Pow<T>(T x, T y)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Pow(F(x), F(y)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Pow(D(x), D(y)));
        throw Unsupported<T>();
    }

    public static T Exp<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Exp(F(x)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Exp(D(x)));
        throw Unsupported<T>();
    }

    public static T Log<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Log(F(x)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Log(D(x)));
        throw Unsupported<T>();
    }

    public static T Tanh<T>(T x)
    {
        if (typeof(T) == typeof(float)) return R<T>(MathF.Tanh(F(x)));
        if (typeof(T) == typeof(double)) return R<T>(Math.Tanh(D(x)));
        throw Unsupported<T>();
    }
}

internal enum ArithmeticOp { Add, Sub, Mul, Div }

internal enum CompareOp { Lt, Le, Gt, Ge, Eq, Ne }

// ---------------------------------------------------------------- expressions

internal abstract class Expr
{
    public abstract RuleValueType Type { get; }
}

internal abstract class FloatExpr : Expr
{
    public sealed override RuleValueType Type => RuleValueType.Float;

    public abstract Func<Frame<T>, T> Compile<T>() where T : struct;
}

internal abstract class IntExpr : Expr
{
    public sealed override RuleValueType Type => RuleValueType.Int;

    public abstract Func<Frame<T>, int> Compile<T>() where T : struct;
}

internal abstract class BoolExpr : Expr
{
    public sealed override RuleValueType Type => RuleValueType.Bool;

    public abstract Func<Frame<T>, bool> Compile<T>() where T : struct;
}

/// <summary>Thrown when a local is read before any assignment reached it.</summary>
internal static class Unassigned
{
    public static InvalidOperationException Error(string name) =>
        new($"The local '{name}' is read before it is assigned.");
}

internal sealed class FloatSlot(int slot) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>() => f => f.Floats[slot];
}

internal sealed class CheckedFloatLocal(int slot, int localId, string name) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>() => f => f.Assigned[localId] ? f.Floats[slot] : throw Unassigned.Error(name);
}

internal sealed class FloatLiteral(float value) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>()
    {
        T constant = RuleMath.FromFloat<T>(value);
        return _ => constant;
    }
}

internal sealed class FloatNeg(FloatExpr operand) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>()
    {
        Func<Frame<T>, T> x = operand.Compile<T>();
        return f => RuleMath.Negate(x(f));
    }
}

internal sealed class FloatArithmetic(ArithmeticOp op, FloatExpr left, FloatExpr right) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>()
    {
        Func<Frame<T>, T> a = left.Compile<T>();
        Func<Frame<T>, T> b = right.Compile<T>();
        return op switch
        {
            ArithmeticOp.Add => f => RuleMath.Add(a(f), b(f)),
            ArithmeticOp.Sub => f => RuleMath.Subtract(a(f), b(f)),
            ArithmeticOp.Mul => f => RuleMath.Multiply(a(f), b(f)),
            _ => f => RuleMath.Divide(a(f), b(f)),
        };
    }
}

internal sealed class FloatCond(BoolExpr condition, FloatExpr whenTrue, FloatExpr whenFalse) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>()
    {
        Func<Frame<T>, bool> c = condition.Compile<T>();
        Func<Frame<T>, T> a = whenTrue.Compile<T>();
        Func<Frame<T>, T> b = whenFalse.Compile<T>();
        return f => c(f) ? a(f) : b(f);
    }
}

internal sealed class ToFloat(IntExpr operand) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>()
    {
        Func<Frame<T>, int> x = operand.Compile<T>();
        return f => RuleMath.FromInt<T>(x(f));
    }
}

internal sealed class FloatCall(RuleFunction function, FloatExpr[] args) : FloatExpr
{
    public override Func<Frame<T>, T> Compile<T>()
    {
        // The reader checked the arity against the catalog: y and z are read only by functions that take them.
        Func<Frame<T>, T> x = args[0].Compile<T>();
        Func<Frame<T>, T> y = args.Length > 1 ? args[1].Compile<T>() : x;
        Func<Frame<T>, T> z = args.Length > 2 ? args[2].Compile<T>() : x;
        return function switch
        {
            RuleFunction.Sqrt => f => RuleMath.Sqrt(x(f)),
            RuleFunction.Abs => f => RuleMath.Abs(x(f)),
            RuleFunction.Max => f => RuleMath.Max(x(f), y(f)),
            RuleFunction.Min => f => RuleMath.Min(x(f), y(f)),
            RuleFunction.CopySign => f => RuleMath.CopySign(x(f), y(f)),
            RuleFunction.FusedMultiplyAdd => f => RuleMath.Fma(x(f), y(f), z(f)),
            RuleFunction.Sign => f => RuleMath.Sign(x(f)),
            RuleFunction.Pow => f => RuleMath.Pow(x(f), y(f)),
            RuleFunction.Exp => f => RuleMath.Exp(x(f)),
            RuleFunction.Log => f => RuleMath.Log(x(f)),
            RuleFunction.Tanh => f => RuleMath.Tanh(x(f)),
            _ => throw new InvalidOperationException($"The interpreter has no evaluation of {RuleFunctions.Of(function).CSharpName}."),
        };
    }
}

/// <summary>
/// A per-tensor reduction of a per-element value (<c>sumsq</c>, <c>norm</c>). The reducing pass
/// records the operand of each element; the update pass reads the tensor's result.
/// </summary>
internal sealed class ReductionCall(int index, bool isNorm, FloatExpr operand) : FloatExpr
{
    public int Index => index;

    public bool IsNorm => isNorm;

    public override Func<Frame<T>, T> Compile<T>()
    {
        Func<Frame<T>, T> x = operand.Compile<T>();
        return f =>
        {
            if (!f.Reducing)
            {
                return f.Reductions[index];
            }

            f.Reductions[index] = x(f);
            return default; // zero in float and double
        };
    }
}

internal sealed class IntSlot(int slot) : IntExpr
{
    public override Func<Frame<T>, int> Compile<T>() => f => f.Ints[slot];
}

internal sealed class CheckedIntLocal(int slot, int localId, string name) : IntExpr
{
    public override Func<Frame<T>, int> Compile<T>() => f => f.Assigned[localId] ? f.Ints[slot] : throw Unassigned.Error(name);
}

internal sealed class IntLiteral(int value) : IntExpr
{
    public override Func<Frame<T>, int> Compile<T>() => _ => value;
}

internal sealed class IntNeg(IntExpr operand) : IntExpr
{
    public override Func<Frame<T>, int> Compile<T>()
    {
        Func<Frame<T>, int> x = operand.Compile<T>();
        return f => unchecked(-x(f));
    }
}

internal sealed class IntArithmetic(ArithmeticOp op, IntExpr left, IntExpr right) : IntExpr
{
    public override Func<Frame<T>, int> Compile<T>()
    {
        Func<Frame<T>, int> a = left.Compile<T>();
        Func<Frame<T>, int> b = right.Compile<T>();
        return op switch
        {
            ArithmeticOp.Add => f => unchecked(a(f) + b(f)),
            ArithmeticOp.Sub => f => unchecked(a(f) - b(f)),
            ArithmeticOp.Mul => f => unchecked(a(f) * b(f)),

            // Truncates; throws DivideByZeroException, and OverflowException for MinValue / -1, as C# does.
            _ => f => a(f) / b(f),
        };
    }
}

internal sealed class IntCond(BoolExpr condition, IntExpr whenTrue, IntExpr whenFalse) : IntExpr
{
    public override Func<Frame<T>, int> Compile<T>()
    {
        Func<Frame<T>, bool> c = condition.Compile<T>();
        Func<Frame<T>, int> a = whenTrue.Compile<T>();
        Func<Frame<T>, int> b = whenFalse.Compile<T>();
        return f => c(f) ? a(f) : b(f);
    }
}

internal sealed class BoolSlot(int slot) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>() => f => f.Bools[slot];
}

internal sealed class CheckedBoolLocal(int slot, int localId, string name) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>() => f => f.Assigned[localId] ? f.Bools[slot] : throw Unassigned.Error(name);
}

internal sealed class BoolLiteral(bool value) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>() => _ => value;
}

internal sealed class Not(BoolExpr operand) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>()
    {
        Func<Frame<T>, bool> x = operand.Compile<T>();
        return f => !x(f);
    }
}

/// <summary><c>and</c> (<paramref name="isAnd"/>) or <c>or</c>: both operands are evaluated, as the IR has no side effects.</summary>
internal sealed class Logical(bool isAnd, BoolExpr left, BoolExpr right) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>()
    {
        Func<Frame<T>, bool> a = left.Compile<T>();
        Func<Frame<T>, bool> b = right.Compile<T>();
        return isAnd ? f => a(f) & b(f) : f => a(f) | b(f);
    }
}

internal sealed class FloatCompare(CompareOp op, FloatExpr left, FloatExpr right) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>()
    {
        Func<Frame<T>, T> a = left.Compile<T>();
        Func<Frame<T>, T> b = right.Compile<T>();
        return op switch
        {
            CompareOp.Lt => f => RuleMath.LessThan(a(f), b(f)),
            CompareOp.Le => f => RuleMath.LessThanOrEqual(a(f), b(f)),
            CompareOp.Gt => f => RuleMath.GreaterThan(a(f), b(f)),
            CompareOp.Ge => f => RuleMath.GreaterThanOrEqual(a(f), b(f)),
            CompareOp.Eq => f => RuleMath.Equal(a(f), b(f)),
            _ => f => RuleMath.NotEqual(a(f), b(f)),
        };
    }
}

internal sealed class IntCompare(CompareOp op, IntExpr left, IntExpr right) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>()
    {
        Func<Frame<T>, int> a = left.Compile<T>();
        Func<Frame<T>, int> b = right.Compile<T>();
        return op switch
        {
            CompareOp.Lt => f => a(f) < b(f),
            CompareOp.Le => f => a(f) <= b(f),
            CompareOp.Gt => f => a(f) > b(f),
            CompareOp.Ge => f => a(f) >= b(f),
            CompareOp.Eq => f => a(f) == b(f),
            _ => f => a(f) != b(f),
        };
    }
}

internal sealed class BoolEquality(bool equal, BoolExpr left, BoolExpr right) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>()
    {
        Func<Frame<T>, bool> a = left.Compile<T>();
        Func<Frame<T>, bool> b = right.Compile<T>();
        return equal ? f => a(f) == b(f) : f => a(f) != b(f);
    }
}

internal sealed class BoolCond(BoolExpr condition, BoolExpr whenTrue, BoolExpr whenFalse) : BoolExpr
{
    public override Func<Frame<T>, bool> Compile<T>()
    {
        Func<Frame<T>, bool> c = condition.Compile<T>();
        Func<Frame<T>, bool> a = whenTrue.Compile<T>();
        Func<Frame<T>, bool> b = whenFalse.Compile<T>();
        return f => c(f) ? a(f) : b(f);
    }
}

// ---------------------------------------------------------------- statements

internal abstract class Stmt
{
    public abstract Action<Frame<T>> Compile<T>() where T : struct;

    /// <summary>Compiles a statement list into one action that runs them in order.</summary>
    public static Action<Frame<T>> CompileAll<T>(Stmt[] statements)
        where T : struct
    {
        var compiled = new Action<Frame<T>>[statements.Length];
        for (int i = 0; i < statements.Length; i++)
        {
            compiled[i] = statements[i].Compile<T>();
        }

        return compiled.Length switch
        {
            0 => static _ => { },
            1 => compiled[0],
            _ => f =>
            {
                foreach (Action<Frame<T>> statement in compiled)
                {
                    statement(f);
                }
            },
        };
    }
}

/// <summary>Assigns a float slot; <paramref name="localId"/> is the local's id, or -1 for the parameter and states.</summary>
internal sealed class SetFloat(int slot, int localId, FloatExpr value) : Stmt
{
    public override Action<Frame<T>> Compile<T>()
    {
        Func<Frame<T>, T> x = value.Compile<T>();
        if (localId < 0)
        {
            return f => f.Floats[slot] = x(f);
        }

        return f =>
        {
            f.Floats[slot] = x(f);
            f.Assigned[localId] = true;
        };
    }
}

internal sealed class SetInt(int slot, int localId, IntExpr value) : Stmt
{
    public override Action<Frame<T>> Compile<T>()
    {
        Func<Frame<T>, int> x = value.Compile<T>();
        return f =>
        {
            f.Ints[slot] = x(f);
            f.Assigned[localId] = true;
        };
    }
}

internal sealed class SetBool(int slot, int localId, BoolExpr value) : Stmt
{
    public override Action<Frame<T>> Compile<T>()
    {
        Func<Frame<T>, bool> x = value.Compile<T>();
        return f =>
        {
            f.Bools[slot] = x(f);
            f.Assigned[localId] = true;
        };
    }
}

/// <summary><c>(local NAME TYPE)</c>: the local holds no value until assigned.</summary>
internal sealed class DeclareUnassigned(int localId) : Stmt
{
    public override Action<Frame<T>> Compile<T>() => f => f.Assigned[localId] = false;
}

internal sealed class If(BoolExpr condition, Stmt[] whenTrue, Stmt[] whenFalse) : Stmt
{
    public override Action<Frame<T>> Compile<T>()
    {
        Func<Frame<T>, bool> c = condition.Compile<T>();
        Action<Frame<T>> a = Stmt.CompileAll<T>(whenTrue);
        Action<Frame<T>> b = Stmt.CompileAll<T>(whenFalse);
        return f =>
        {
            if (c(f))
            {
                a(f);
            }
            else
            {
                b(f);
            }
        };
    }
}
