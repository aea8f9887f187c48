using System;
using System.Linq;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Tests.Interpretation;

public class RuleInterpreterTests
{
    private static void AssertBits(float expected, float actual, string? where = null)
    {
        int e = BitConverter.SingleToInt32Bits(expected);
        int a = BitConverter.SingleToInt32Bits(actual);
        Assert.True(SameBits.Of(expected, actual), $"{where}: expected {expected:R} (0x{e:X8}) but got {actual:R} (0x{a:X8})");
    }

    private static void AssertBits(float[] expected, float[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            AssertBits(expected[i], actual[i], $"{name}[{i}]");
        }
    }

    private static void AssertBits(double expected, double actual, string? where = null)
    {
        long e = BitConverter.DoubleToInt64Bits(expected);
        long a = BitConverter.DoubleToInt64Bits(actual);
        Assert.True(SameBits.Of(expected, actual), $"{where}: expected {expected:R} (0x{e:X16}) but got {actual:R} (0x{a:X16})");
    }

    private static readonly float[] Specials =
    {
        0f, -0f, 1f, -1f, 0.5f, -2.5f, 3f, 1e-30f, -1e-30f, 1e30f, -1e30f, float.Epsilon, -float.Epsilon,
        float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)), // a negative NaN with payload
    };

    /// <summary>Special values then random ones of mixed magnitudes and signs.</summary>
    private static float[] Values(int seed, int count, bool specials = true)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = specials && i < Specials.Length
                ? Specials[(i + seed) % Specials.Length]
                : (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 6)));
        }

        return values;
    }

    /// <summary>Evaluates a one-element rule with parameter p and gradient g and returns the parameter after.</summary>
    private static float Eval1(string body, float p, float g, params double[] hypers)
    {
        string decls = string.Concat(hypers.Select((_, i) => $"(hyper h{i} float)"));
        UpdateRule rule = UpdateRule.Parse($"(rule R (param p) (grad g) {decls} (step t) (body {body}))");
        float[] parameter = { p };
        RuleInterpreter.Run<float>(rule, parameter, new[] { g }, Array.Empty<float[]>(), Span<float>.Empty, hypers, 7);
        return parameter[0];
    }

    // ------------------------------------------------------------ Adam: float bit for bit

    private const string AdamIr = """
        (rule Adam
          (param p) (grad g) (state m) (state v)
          (hyper lr float) (hyper beta1 float) (hyper beta2 float) (hyper eps float)
          (hyper weightDecay float) (hyper decoupled bool)
          (step t)
          (body
            (local grad float g)
            (if decoupled
              (block (set p (mul p (sub (float 1) (mul lr weightDecay)))))
              (block (set grad (add grad (mul weightDecay p)))))
            (set m (add (mul beta1 m) (mul (sub (float 1) beta1) grad)))
            (set v (add (mul beta2 v) (mul (mul (sub (float 1) beta2) grad) grad)))
            (local bc1 float (sub (float 1) (call pow beta1 (tofloat t))))
            (local bc2 float (sub (float 1) (call pow beta2 (tofloat t))))
            (local mhat float (div m bc1))
            (local vhat float (div v bc2))
            (set p (sub p (div (mul lr mhat) (add (call sqrt vhat) eps))))))
        """;

    private static void AdamFloat(ref float p, float g, ref float m, ref float v,
        float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled, int t)
    {
        float grad = g;
        if (decoupled)
        {
            p = p * (1f - lr * weightDecay);
        }
        else
        {
            grad = grad + weightDecay * p;
        }

        m = beta1 * m + (1f - beta1) * grad;
        v = beta2 * v + (1f - beta2) * grad * grad;
        float bc1 = 1f - MathF.Pow(beta1, t);
        float bc2 = 1f - MathF.Pow(beta2, t);
        float mhat = m / bc1;
        float vhat = v / bc2;
        p = p - lr * mhat / (MathF.Sqrt(vhat) + eps);
    }

    private static void AdamDouble(ref double p, double g, ref double m, ref double v,
        double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled, int t)
    {
        double grad = g;
        if (decoupled)
        {
            p = p * (1d - lr * weightDecay);
        }
        else
        {
            grad = grad + weightDecay * p;
        }

        m = beta1 * m + (1d - beta1) * grad;
        v = beta2 * v + (1d - beta2) * grad * grad;
        double bc1 = 1d - Math.Pow(beta1, t);
        double bc2 = 1d - Math.Pow(beta2, t);
        double mhat = m / bc1;
        double vhat = v / bc2;
        p = p - lr * mhat / (Math.Sqrt(vhat) + eps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamMatchesTheCSharpRuleBitForBit(bool decoupled)
    {
        UpdateRule rule = UpdateRule.Parse(AdamIr);
        const int n = 257;
        double[] hypers = { 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled ? 1 : 0 };
        float lr = (float)hypers[0], beta1 = (float)hypers[1], beta2 = (float)hypers[2], eps = (float)hypers[3], wd = (float)hypers[4];

        float[] p = Values(1, n);
        float[] expectedP = (float[])p.Clone();
        float[] m = new float[n], v = new float[n], expectedM = new float[n], expectedV = new float[n];
        for (int t = 1; t <= 5; t++)
        {
            float[] g = Values(10 + t, n);
            RuleInterpreter.Run<float>(rule, p, g, new[] { m, v }, Span<float>.Empty, hypers, t);
            for (int i = 0; i < n; i++)
            {
                AdamFloat(ref expectedP[i], g[i], ref expectedM[i], ref expectedV[i], lr, beta1, beta2, eps, wd, decoupled, t);
            }

            AssertBits(expectedP, p, $"step {t} p");
            AssertBits(expectedM, m, $"step {t} m");
            AssertBits(expectedV, v, $"step {t} v");
        }

        // The comparison is not vacuous: parameters moved and stayed mostly finite.
        Assert.Contains(p, x => float.IsFinite(x) && x != 0f);
    }

    [Fact]
    public void AdamInDoubleMatchesTheCSharpRuleInDouble()
    {
        UpdateRule rule = UpdateRule.Parse(AdamIr);
        const int n = 64;
        double[] hypers = { 1e-3, 0.9, 0.999, 1e-8, 0.01, 0 };
        double[] p = Values(2, n, specials: false).Select(x => (double)x).ToArray();
        double[] expectedP = (double[])p.Clone();
        double[] m = new double[n], v = new double[n], expectedM = new double[n], expectedV = new double[n];
        for (int t = 1; t <= 3; t++)
        {
            double[] g = Values(20 + t, n, specials: false).Select(x => (double)x).ToArray();
            RuleInterpreter.Run<double>(rule, p, g, new[] { m, v }, Span<double>.Empty, hypers, t);
            for (int i = 0; i < n; i++)
            {
                // Hyper-parameters are used as passed (not rounded to float); literals are exact here (1).
                AdamDouble(ref expectedP[i], g[i], ref expectedM[i], ref expectedV[i], hypers[0], hypers[1], hypers[2], hypers[3], hypers[4], false, t);
            }
        }

        for (int i = 0; i < n; i++)
        {
            AssertBits(expectedP[i], p[i], $"p[{i}]");
            AssertBits(expectedM[i], m[i], $"m[{i}]");
            AssertBits(expectedV[i], v[i], $"v[{i}]");
        }
    }

    // ------------------------------------------------------------ double mode differs from float

    [Fact]
    public void DoubleModeComputesInDouble()
    {
        // p + g * 0.1 - with the literal 0.1 widened from its float value.
        UpdateRule rule = UpdateRule.Parse("(rule R (param p) (grad g) (body (set p (add p (mul g (float 0.1))))))");

        float[] pf = { 1f };
        RuleInterpreter.Run<float>(rule, pf, new[] { 3f }, Array.Empty<float[]>(), Span<float>.Empty, ReadOnlySpan<double>.Empty, 1);
        double[] pd = { 1d };
        RuleInterpreter.Run<double>(rule, pd, new[] { 3d }, Array.Empty<double[]>(), Span<double>.Empty, ReadOnlySpan<double>.Empty, 1);

        AssertBits(1f + 3f * 0.1f, pf[0], "float");
        double expected = 1d + 3d * (double)0.1f;
        AssertBits(expected, pd[0], "double");
        Assert.NotEqual((double)pf[0], pd[0]);
        Assert.NotEqual(1d + 3d * 0.1d, pd[0]); // the literal is the float 0.1, not the double 0.1
    }

    [Fact]
    public void DoubleModeUsesMathAndPassesFloatHyperparametersUnrounded()
    {
        UpdateRule rule = UpdateRule.Parse(
            "(rule R (param p) (grad g) (hyper lr float) (step t) (body (set p (add (call sqrt p) (mul lr (call pow g (tofloat t)))))))");
        double[] pd = { 2d };
        RuleInterpreter.Run<double>(rule, pd, new[] { 1.1d }, Array.Empty<double[]>(), Span<double>.Empty, new[] { 0.1 }, 3);
        AssertBits(Math.Sqrt(2d) + 0.1 * Math.Pow(1.1d, 3d), pd[0], "double");

        float[] pf = { 2f };
        RuleInterpreter.Run<float>(rule, pf, new[] { 1.1f }, Array.Empty<float[]>(), Span<float>.Empty, new[] { 0.1 }, 3);
        AssertBits(MathF.Sqrt(2f) + 0.1f * MathF.Pow(1.1f, 3f), pf[0], "float");
    }

    // ------------------------------------------------------------ control flow

    [Fact]
    public void IfTakesBothArms()
    {
        const string ir = """
            (rule R (param p) (grad g) (state s) (hyper scale float)
              (body
                (local x float)
                (if (gt g (float 0))
                  (block (set x (mul g scale)) (set s (add s (float 1))))
                  (block (set x (div g (float 3))) (set s (sub s (float 1)))))
                (set p (sub p x))))
            """;
        UpdateRule rule = UpdateRule.Parse(ir);
        float[] g = Values(3, 64);
        float[] p = Values(4, 64);
        float[] s = Values(5, 64);
        float[] expectedP = (float[])p.Clone(), expectedS = (float[])s.Clone();
        float scale = (float)0.3;
        for (int i = 0; i < 64; i++)
        {
            float x;
            if (g[i] > 0f)
            {
                x = g[i] * scale;
                expectedS[i] = expectedS[i] + 1f;
            }
            else
            {
                x = g[i] / 3f;
                expectedS[i] = expectedS[i] - 1f;
            }

            expectedP[i] = expectedP[i] - x;
        }

        RuleInterpreter.Run<float>(rule, p, g, new[] { s }, Span<float>.Empty, new[] { 0.3 }, 1);
        AssertBits(expectedP, p, "p");
        AssertBits(expectedS, s, "s");
        Assert.Contains(g, x => x > 0f);
        Assert.Contains(g, x => !(x > 0f));
    }

    [Fact]
    public void CondSelectsPerElement()
    {
        UpdateRule rule = UpdateRule.Parse(
            "(rule R (param p) (grad g) (body (set p (cond (lt g p) (sub p g) (mul g (float 2))))))");
        float[] p = Values(6, 50), g = Values(7, 50);
        float[] expected = p.Select((x, i) => g[i] < x ? x - g[i] : g[i] * 2f).ToArray();
        RuleInterpreter.Run<float>(rule, p, g, Array.Empty<float[]>(), Span<float>.Empty, ReadOnlySpan<double>.Empty, 1);
        AssertBits(expected, p, "p");
    }

    [Fact]
    public void ComparisonsFollowIeee()
    {
        // Encodes the six comparisons of g with p as bits of the result.
        const string ir = """
            (rule R (param p) (grad g)
              (body
                (local r int (int 0))
                (if (lt g p) (block (set r (add r (int 1)))) (block))
                (if (le g p) (block (set r (add r (int 2)))) (block))
                (if (gt g p) (block (set r (add r (int 4)))) (block))
                (if (ge g p) (block (set r (add r (int 8)))) (block))
                (if (eq g p) (block (set r (add r (int 16)))) (block))
                (if (ne g p) (block (set r (add r (int 32)))) (block))
                (set p (tofloat r))))
            """;
        UpdateRule rule = UpdateRule.Parse(ir);
        float[] a = { 1f, 2f, 1f, float.NaN, 1f, float.NaN, -0f };
        float[] b = { 2f, 1f, 1f, 1f, float.NaN, float.NaN, 0f };
        float[] p = (float[])b.Clone();
        RuleInterpreter.Run<float>(rule, p, a, Array.Empty<float[]>(), Span<float>.Empty, ReadOnlySpan<double>.Empty, 1);
        for (int i = 0; i < a.Length; i++)
        {
            int r = (a[i] < b[i] ? 1 : 0) + (a[i] <= b[i] ? 2 : 0) + (a[i] > b[i] ? 4 : 0)
                + (a[i] >= b[i] ? 8 : 0) + (a[i] == b[i] ? 16 : 0) + (a[i] != b[i] ? 32 : 0);
            Assert.Equal((float)r, p[i]);
        }

        Assert.Equal(32f, p[3]); // NaN: only ne
        Assert.Equal(2f + 8f + 16f, p[6]); // -0 == +0
    }

    [Fact]
    public void BooleanOperators()
    {
        const string ir = """
            (rule R (param p) (grad g) (hyper a bool) (hyper b bool)
              (body
                (local r int (int 0))
                (if (and a b) (block (set r (add r (int 1)))) (block))
                (if (or a b) (block (set r (add r (int 2)))) (block))
                (if (not a) (block (set r (add r (int 4)))) (block))
                (if (eq a b) (block (set r (add r (int 8)))) (block))
                (if (ne a b) (block (set r (add r (int 16)))) (block))
                (local c bool (cond a b (bool true)))
                (if c (block (set r (add r (int 32)))) (block))
                (set p (tofloat r))))
            """;
        UpdateRule rule = UpdateRule.Parse(ir);
        foreach (bool a in new[] { false, true })
        {
            foreach (bool b in new[] { false, true })
            {
                float[] p = { 0f };
                RuleInterpreter.Run<float>(rule, p, new[] { 0f }, Array.Empty<float[]>(), Span<float>.Empty, new double[] { a ? 1 : 0, b ? 1 : 0 }, 1);
                int r = (a && b ? 1 : 0) + (a || b ? 2 : 0) + (!a ? 4 : 0) + (a == b ? 8 : 0) + (a != b ? 16 : 0) + ((a ? b : true) ? 32 : 0);
                Assert.Equal((float)r, p[0]);
            }
        }
    }

    // ------------------------------------------------------------ functions and literals

    [Fact]
    public void SignOfZerosAndNaN()
    {
        float[] inputs = { -0f, 0f, float.NaN, -3.5f, 2f, float.NegativeInfinity, float.PositiveInfinity, -float.Epsilon };
        foreach (float x in inputs)
        {
            AssertBits(KernelMath.Sign(x), Eval1("(set p (call sign g))", 9f, x), $"sign({x})");
        }

        AssertBits(-0f, Eval1("(set p (call sign g))", 9f, -0f), "sign(-0)");
        AssertBits(0f, Eval1("(set p (call sign g))", 9f, 0f), "sign(+0)");
        Assert.True(float.IsNaN(Eval1("(set p (call sign g))", 9f, float.NaN)));
        AssertBits(-1f, Eval1("(set p (call sign g))", 9f, -float.Epsilon), "sign(-eps)");
    }

    [Fact]
    public void MaxAndMinOfZerosAndNaN()
    {
        float[] values = { -0f, 0f, float.NaN, 1f, -1f };
        foreach (float a in values)
        {
            foreach (float b in values)
            {
                AssertBits(MathF.Max(b, a), Eval1("(set p (call max g p))", a, b), $"max({b}, {a})");
                AssertBits(MathF.Min(b, a), Eval1("(set p (call min g p))", a, b), $"min({b}, {a})");
            }
        }

        AssertBits(0f, Eval1("(set p (call max g p))", 0f, -0f), "max(-0, +0)");
        AssertBits(0f, Eval1("(set p (call max g p))", -0f, 0f), "max(+0, -0)");
        AssertBits(-0f, Eval1("(set p (call min g p))", 0f, -0f), "min(-0, +0)");
        Assert.True(float.IsNaN(Eval1("(set p (call max g p))", 1f, float.NaN)));
        Assert.True(float.IsNaN(Eval1("(set p (call min g p))", float.NaN, 1f)));
    }

    [Fact]
    public void FmaIsFusedAndMulAddIsNot()
    {
        // a * a - 1 with a = 1 + 2^-12: the product's low bit is lost in float but kept by fma.
        float a = 1f + MathF.Pow(2f, -12f);
        float fused = Eval1("(set p (call fma p p (float -1)))", a, 0f);
        float separate = Eval1("(set p (add (mul p p) (float -1)))", a, 0f);
        AssertBits(MathF.FusedMultiplyAdd(a, a, -1f), fused, "fma");
        AssertBits(a * a + -1f, separate, "mul add");
        Assert.NotEqual(fused, separate);
    }

    [Fact]
    public void OtherFunctionsAreMathF()
    {
        float[] xs = Values(8, 40);
        float[] ys = Values(9, 40);
        for (int i = 0; i < xs.Length; i++)
        {
            float x = xs[i], y = ys[i];
            AssertBits(MathF.Sqrt(x), Eval1("(set p (call sqrt p))", x, y), $"sqrt({x})");
            AssertBits(MathF.Abs(x), Eval1("(set p (call abs p))", x, y), $"abs({x})");
            AssertBits(MathF.CopySign(x, y), Eval1("(set p (call copysign p g))", x, y), $"copysign({x}, {y})");
            AssertBits(MathF.Exp(x), Eval1("(set p (call exp p))", x, y), $"exp({x})");
            AssertBits(MathF.Log(x), Eval1("(set p (call log p))", x, y), $"log({x})");
            AssertBits(MathF.Pow(x, y), Eval1("(set p (call pow p g))", x, y), $"pow({x}, {y})");
            AssertBits(MathF.FusedMultiplyAdd(x, y, x), Eval1("(set p (call fma p g p))", x, y), $"fma({x}, {y}, {x})");
            AssertBits(-x, Eval1("(set p (neg p))", x, y), $"neg({x})");
        }
    }

    [Fact]
    public void PowOfTheStep()
    {
        UpdateRule rule = UpdateRule.Parse(
            "(rule R (param p) (grad g) (hyper beta float) (step t) (body (set p (sub (float 1) (call pow beta (tofloat t))))))");
        foreach (int t in new[] { 1, 2, 10, 1000, 16777217, int.MaxValue })
        {
            float[] p = { 0f };
            RuleInterpreter.Run<float>(rule, p, new[] { 0f }, Array.Empty<float[]>(), Span<float>.Empty, new[] { 0.999 }, t);
            AssertBits(1f - MathF.Pow(0.999f, t), p[0], $"t = {t}");
        }
    }

    [Theory]
    [InlineData("0.9")]
    [InlineData("1E-08")]
    [InlineData("-0")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("NaN")]
    [InlineData("3.4028235E+38")]
    [InlineData("1E-45")]
    [InlineData("0.1")]
    public void FloatLiterals(string literal)
    {
        float expected = float.Parse(literal, System.Globalization.CultureInfo.InvariantCulture);
        AssertBits(expected, Eval1($"(set p (float {literal}))", 5f, 0f), literal);

        UpdateRule rule = UpdateRule.Parse($"(rule R (param p) (grad g) (body (set p (float {literal}))))");
        double[] pd = { 5d };
        RuleInterpreter.Run<double>(rule, pd, new[] { 0d }, Array.Empty<double[]>(), Span<double>.Empty, ReadOnlySpan<double>.Empty, 1);
        AssertBits((double)expected, pd[0], literal);
    }

    [Fact]
    public void FloatHyperparametersAreRoundedToFloat()
    {
        AssertBits((float)0.1, Eval1("(set p h0)", 0f, 0f, 0.1), "0.1");
        AssertBits(float.PositiveInfinity, Eval1("(set p h0)", 0f, 0f, 1e300), "1e300");
        AssertBits((float)1.0000000596046448, Eval1("(set p h0)", 0f, 0f, 1.0000000596046448), "tie");
    }

    // ------------------------------------------------------------ ints

    private static float IntRule(string body, int n, int step = 1)
    {
        UpdateRule rule = UpdateRule.Parse($"(rule R (param p) (grad g) (hyper n int) (step t) (body {body}))");
        float[] p = { 0f };
        RuleInterpreter.Run<float>(rule, p, new[] { 0f }, Array.Empty<float[]>(), Span<float>.Empty, new double[] { n }, step);
        return p[0];
    }

    [Fact]
    public void IntArithmeticIsCSharps()
    {
        Assert.Equal((float)unchecked(int.MaxValue + 1), IntRule("(set p (tofloat (add n (int 1))))", int.MaxValue));
        Assert.Equal((float)unchecked(int.MinValue - 1), IntRule("(set p (tofloat (sub n (int 1))))", int.MinValue));
        Assert.Equal((float)unchecked(123456789 * 1000), IntRule("(set p (tofloat (mul n (int 1000))))", 123456789));
        Assert.Equal((float)unchecked(-int.MinValue), IntRule("(set p (tofloat (neg n)))", int.MinValue));
        Assert.Equal(-3f, IntRule("(set p (tofloat (div n (int 2))))", -7));
        Assert.Equal(3f, IntRule("(set p (tofloat (div n (int -2))))", -7));
        Assert.Equal(2f, IntRule("(set p (tofloat (div (int 7) n)))", 3));
        Assert.Equal(1f, IntRule("(set p (tofloat (cond (lt n t) (int 1) (int 2))))", 3, step: 4));
        Assert.Equal(2f, IntRule("(set p (tofloat (cond (ge n t) (int 2) (int 1))))", 3, step: 3));

        // tofloat rounds as C#'s (float)i does.
        AssertBits((float)16777217, IntRule("(set p (tofloat n))", 16777217), "16777217");
        AssertBits((float)int.MaxValue, IntRule("(set p (tofloat n))", int.MaxValue), "MaxValue");
    }

    [Fact]
    public void IntTofloatInDoubleIsExact()
    {
        UpdateRule rule = UpdateRule.Parse("(rule R (param p) (grad g) (step t) (body (set p (tofloat t))))");
        double[] p = { 0d };
        RuleInterpreter.Run<double>(rule, p, new[] { 0d }, Array.Empty<double[]>(), Span<double>.Empty, ReadOnlySpan<double>.Empty, 16777217);
        Assert.Equal(16777217d, p[0]);
    }

    [Fact]
    public void IntDivisionByZeroThrows()
    {
        Assert.Throws<DivideByZeroException>(() => IntRule("(set p (tofloat (div (int 1) n)))", 0));
    }

    // ------------------------------------------------------------ locals

    [Fact]
    public void LocalAssignedOnBothArmsOrBeforeReadWorks()
    {
        const string body = """
            (local x float)
            (if (gt g (float 0)) (block (set x g)) (block (set x (neg g))))
            (local y float)
            (if (gt g (float 1)) (block (set y (float 10)) (set p (add x y))) (block (set p x)))
            """;
        AssertBits(2f, Eval1(body, 0f, -2f), "-2");
        AssertBits(15f, Eval1(body, 0f, 5f), "5");
    }

    [Fact]
    public void ReadingAnUnassignedLocalThrows()
    {
        const string body = """
            (local x float)
            (if (gt g (float 0)) (block (set x g)) (block))
            (set p x)
            """;
        AssertBits(3f, Eval1(body, 0f, 3f), "assigned");
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Eval1(body, 0f, -3f));
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void LocalsStartUnassignedOnEveryElement()
    {
        UpdateRule rule = UpdateRule.Parse("""
            (rule R (param p) (grad g)
              (body
                (local x float)
                (if (gt g (float 0)) (block (set x g)) (block))
                (set p x)))
            """);
        float[] p = { 0f, 0f };
        Assert.Throws<InvalidOperationException>(() =>
            RuleInterpreter.Run<float>(rule, p, new[] { 1f, -1f }, Array.Empty<float[]>(), Span<float>.Empty, ReadOnlySpan<double>.Empty, 1));
        Assert.Equal(1f, p[0]);
    }

    // ------------------------------------------------------------ tensor state

    private const string CounterIr = """
        (rule Counter (param p) (grad g) (tensor count) (tensor last)
          (body
            (set count (add count (float 1)))
            (set last g)
            (set p count)))
        """;

    [Fact]
    public void TensorStateStartsFromTheIncomingValueForEveryElementAndPersistsAcrossSteps()
    {
        UpdateRule rule = UpdateRule.Parse(CounterIr);
        float[] p = new float[5];
        float[] g = { 1f, 2f, 3f, 4f, 5f };
        float[] tensor = new float[2];
        for (int step = 1; step <= 3; step++)
        {
            RuleInterpreter.Run<float>(rule, p, g, Array.Empty<float[]>(), tensor, ReadOnlySpan<double>.Empty, step);

            // Each element saw the same incoming count (a fresh copy), not its predecessor's result.
            Assert.All(p, x => Assert.Equal((float)step, x));
            Assert.Equal((float)step, tensor[0]);

            // After the run the tensor state holds what the last element computed.
            Assert.Equal(5f, tensor[1]);
        }
    }

    [Fact]
    public void EmptyTensorLeavesTensorStateUnchanged()
    {
        UpdateRule rule = UpdateRule.Parse(CounterIr);
        float[] tensor = { 7f, -0f };
        RuleInterpreter.Run<float>(rule, Span<float>.Empty, ReadOnlySpan<float>.Empty, Array.Empty<float[]>(), tensor, ReadOnlySpan<double>.Empty, 1);
        AssertBits(7f, tensor[0], "count");
        AssertBits(-0f, tensor[1], "last");
    }

    [Fact]
    public void TensorStateInDouble()
    {
        UpdateRule rule = UpdateRule.Parse(CounterIr);
        double[] p = new double[3];
        double[] tensor = { 0.5, 0 };
        RuleInterpreter.Run<double>(rule, p, new[] { 1d, 2d, 3d }, Array.Empty<double[]>(), tensor, ReadOnlySpan<double>.Empty, 1);
        Assert.Equal(new[] { 1.5, 1.5, 1.5 }, p);
        Assert.Equal(new[] { 1.5, 3d }, tensor);
    }

    // ------------------------------------------------------------ argument validation

    private static readonly UpdateRule Validated = UpdateRule.Parse(
        "(rule V (param p) (grad g) (state s) (tensor ts) (hyper lr float) (hyper k int) (hyper on bool) (step t) (body (set p (add p g)) (set s g) (set ts g)))");

    private static ArgumentException Invalid(Action run, string argument)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(run);
        Assert.Equal(argument, e.ParamName);
        return e;
    }

    [Fact]
    public void ValidatesLengthsAndCountsBeforeWriting()
    {
        float[] p = { 1f, 2f };
        float[] g = { 1f, 1f };
        float[] s = { 0f, 0f };
        float[] ts = { 0f };
        double[] h = { 0.1, 3, 1 };

        Invalid(() => RuleInterpreter.Run<float>(Validated, p, new[] { 1f }, new[] { s }, ts, h, 1), "gradient");
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, Array.Empty<float[]>(), ts, h, 1), "states");
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s, s }, ts, h, 1), "states");
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { new float[3] }, ts, h, 1), "states");
        Assert.Throws<ArgumentNullException>(() => RuleInterpreter.Run<float>(Validated, p, g, new float[][] { null! }, ts, h, 1));
        Assert.Throws<ArgumentNullException>(() => RuleInterpreter.Run<float>(Validated, p, g, null!, ts, h, 1));
        Assert.Throws<ArgumentNullException>(() => RuleInterpreter.Run<float>(null!, p, g, new[] { s }, ts, h, 1));
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, new float[2], h, 1), "tensorStates");
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, ts, new[] { 0.1, 3 }, 1), "hyperparameters");
        Assert.Contains("'k'", Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, ts, new[] { 0.1, 3.5, 1 }, 1), "hyperparameters").Message);
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, ts, new[] { 0.1, 3e10, 1 }, 1), "hyperparameters");
        Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, ts, new[] { 0.1, double.NaN, 1 }, 1), "hyperparameters");
        Assert.Contains("'on'", Invalid(() => RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, ts, new[] { 0.1, 3, 2 }, 1), "hyperparameters").Message);

        Assert.Equal(new[] { 1f, 2f }, p);
        Assert.Equal(new[] { 0f, 0f }, s);
        Assert.Equal(new[] { 0f }, ts);

        RuleInterpreter.Run<float>(Validated, p, g, new[] { s }, ts, h, 1);
        Assert.Equal(new[] { 2f, 3f }, p);
        Assert.Equal(new[] { 1f, 1f }, s);
        Assert.Equal(new[] { 1f }, ts);
    }

    [Fact]
    public void OnlyFloatAndDoubleAreSupported()
    {
        UpdateRule rule = UpdateRule.Parse("(rule R (param p) (grad g) (body))");
        Assert.Throws<NotSupportedException>(() =>
            RuleInterpreter.Run<Half>(rule, new Half[1], new Half[1], Array.Empty<Half[]>(), Span<Half>.Empty, ReadOnlySpan<double>.Empty, 1));
    }

    [Fact]
    public void RunsTheDocumentedSgdExample()
    {
        UpdateRule rule = UpdateRule.Parse("""
            (rule SGD
              (param param) (grad grad) (state momentumBuffer)
              (hyper learningRate float) (hyper momentum float) (hyper nesterov bool)
              (step t)
              (body
                (local g float grad)
                (if (ne momentum (float 0))
                  (block
                    (if (eq t (int 1))
                      (block (set momentumBuffer g))
                      (block (set momentumBuffer (add (mul momentum momentumBuffer) g))))
                    (if nesterov (block (set g (add g (mul momentum momentumBuffer)))) (block)))
                  (block))
                (set param (sub param (mul learningRate g)))))
            """);
        const int n = 33;
        foreach (bool nesterov in new[] { false, true })
        {
            float[] p = Values(30, n), expectedP = (float[])p.Clone();
            float[] buf = new float[n], expectedBuf = new float[n];
            float lr = (float)0.01, momentum = (float)0.9;
            for (int t = 1; t <= 3; t++)
            {
                float[] grad = Values(31 + t, n);
                RuleInterpreter.Run<float>(rule, p, grad, new[] { buf }, Span<float>.Empty, new[] { 0.01, 0.9, nesterov ? 1 : 0 }, t);
                for (int i = 0; i < n; i++)
                {
                    float g = grad[i];
                    if (momentum != 0f)
                    {
                        expectedBuf[i] = t == 1 ? g : momentum * expectedBuf[i] + g;
                        if (nesterov)
                        {
                            g = g + momentum * expectedBuf[i];
                        }
                    }

                    expectedP[i] = expectedP[i] - lr * g;
                }

                AssertBits(expectedP, p, $"nesterov={nesterov} t={t} p");
                AssertBits(expectedBuf, buf, $"nesterov={nesterov} t={t} buf");
            }
        }
    }
}
