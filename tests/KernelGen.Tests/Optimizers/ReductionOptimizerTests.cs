using System;
using System.Linq;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>
/// Lamb, LARS and NovoGrad where neither the bitwise tests (kernel against interpreter) nor the
/// recorded cases look: the branches taken on a zero or a large norm, the refused option, the ranges.
/// Expected values are the reference's formulas in double, one step, on the float values of the
/// hyper-parameters (0.999f is not 0.999), to a float's precision.
/// </summary>
public class ReductionOptimizerTests
{
    public static TheoryData<string, string, double> OutOfRange() => new()
    {
        { "Lamb", "betas[1]", 1.0 },
        { "Lamb", "max_grad_norm", -1.0 },
        { "Lamb", "eps", -1e-6 },
        { "LARS", "momentum", 1.0 },
        { "LARS", "dampening", 1.0 },
        { "LARS", "trust_coefficient", -1e-3 },
        { "NovoGrad", "betas[0]", -0.1 },
        { "NovoGrad", "weight_decay", -0.01 },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void OutOfRangeStepChangesNothing(string optimizer, string name, double value) =>
        new ValidationTests().OutOfRangeStepChangesNothing(optimizer, name, value);

    [Fact]
    public void LambRefusesPreNormBeforeWritingAnything()
    {
        var lamb = new Lamb { PreNorm = true };
        float[] p = { 1f, 2f };
        ParameterTensor tensor = lamb.Add(p, new[] { 0.5f, -0.5f });

        var error = Assert.Throws<ArgumentException>(lamb.Step);

        Assert.Equal(nameof(Lamb.PreNorm), error.ParamName);
        Assert.Contains("global gradient norm", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 1f, 2f }, p);
        Assert.Equal(0, tensor.Step);
        Assert.Throws<ArgumentException>(lamb.StepWithInterpreter);
    }

    [Fact]
    public void LambClampsTheWeightNormAtTen()
    {
        // ‖p‖ = 200 > 10: the trust ratio is 10 / (‖d‖ + ε), not 200 / (‖d‖ + ε).
        float[] p = { 100f, -100f, 100f, -100f }, g = { 0.5f, 1f, -2f, 0.25f };
        double[] expected = LambFirstStep(p, g, lr: 0.01f, eps: 1e-6f);
        Assert.Equal(10.0, Math.Min(Norm(p.Select(x => (double)x)), 10.0));

        var lamb = new Lamb { LearningRate = 0.01f };
        lamb.Add(p, g);
        lamb.Step();

        AssertClose(expected, p);
    }

    [Fact]
    public void LambTakesTrustRatioOneForAZeroParameter()
    {
        float[] p = new float[5], g = { 0.5f, 1f, -2f, 0.25f, 3f };
        double[] expected = LambFirstStep(p, g, lr: 0.01f, eps: 1e-6f);

        var lamb = new Lamb { LearningRate = 0.01f };
        lamb.Add(p, g);
        lamb.Step();

        AssertClose(expected, p);
        Assert.All(p, x => Assert.NotEqual(0f, x));
    }

    [Fact]
    public void LarsTakesTrustRatioOneWhenANormIsZero()
    {
        const float lr = 0.1f, wd = 0.01f, momentum = 0.9f;

        // ‖p‖ = 0: g = grad · 1, and the buffer starts as grad: b = 0.9·grad + grad.
        float[] p = new float[3], g = { 0.5f, -1f, 2f };
        var zeroParameter = new LARS { LearningRate = lr, WeightDecay = wd, MultiDimensional = true };
        zeroParameter.Add(p, g);
        zeroParameter.Step();
        AssertClose(g.Select(x => -lr * (momentum * (double)x + x)).ToArray(), p);

        // ‖grad‖ = 0: g = (0 + wd·p) · 1, the buffer starts at 0.
        float[] q = { 1f, -2f, 3f }, zero = new float[3];
        var zeroGradient = new LARS { LearningRate = lr, WeightDecay = wd, MultiDimensional = true };
        zeroGradient.Add(q, zero);
        zeroGradient.Step();
        AssertClose(new[] { 1.0, -2.0, 3.0 }.Select(x => x - lr * wd * x).ToArray(), q);
    }

    [Fact]
    public void LarsAppliesTrustRatioAndDecayOnlyToMultiDimensionalTensors()
    {
        const double lr = 0.1f, wd = 0.01f, eta = 0.02f;
        float[] initial = { 1f, -2f, 3f, 0.5f }, g = { 0.5f, -1f, 2f, 0.25f };
        double ratio = eta * Norm(initial.Select(x => (double)x)) / Norm(g.Select(x => (double)x));

        float[] flat = (float[])initial.Clone(), matrix = (float[])initial.Clone();
        var flatLars = new LARS { LearningRate = (float)lr, WeightDecay = (float)wd, TrustCoefficient = (float)eta, Momentum = 0f };
        var matrixLars = new LARS { LearningRate = (float)lr, WeightDecay = (float)wd, TrustCoefficient = (float)eta, Momentum = 0f, MultiDimensional = true };
        flatLars.Add(flat, g);
        matrixLars.Add(matrix, g);
        flatLars.Step();
        matrixLars.Step();

        AssertClose(initial.Select((x, i) => x - lr * g[i]).ToArray(), flat);
        AssertClose(initial.Select((x, i) => x - lr * (g[i] + wd * x) * ratio).ToArray(), matrix);
    }

    [Fact]
    public void NovoGradStartsFromTheNormalizedGradient()
    {
        // Step 1: e = s·β₂ + (1 − β₂)·s = s; m = β₁·(grad/(√s + ε) + wd·p) + grad/(√s + ε) + wd·p (L2);
        // p = p − lr·√(1 − β₂)/(1 − β₁)·m.
        const double lr = 0.01f, b1 = 0.95f, b2 = 0.98f, eps = 1e-8f, wd = 0.1f;
        float[] p = { 1f, -2f, 3f }, g = { 0.5f, -1f, 2f };
        double norm = Norm(g.Select(x => (double)x)) + eps;
        double step = lr * Math.Sqrt(1 - b2) / (1 - b1);
        double[] expected = p.Select((x, i) => x - step * (b1 + 1) * (g[i] / norm + wd * x)).ToArray();

        var novoGrad = new NovoGrad { LearningRate = (float)lr, WeightDecay = (float)wd };
        novoGrad.Add(p, g);
        novoGrad.Step();

        AssertClose(expected, p);
        Assert.Equal(5.25, novoGrad.Tensors[0].TensorState(0), 5); // e = Σgrad², per-tensor state
    }

    /// <summary>pytorch_optimizer's Lamb, defaults but lr, first step: m = (1 − β₁)g, v = (1 − β₂)g², d = m/(√v + ε).</summary>
    private static double[] LambFirstStep(float[] p, float[] g, float lr, float eps)
    {
        const double b1 = 0.9f, b2 = 0.999f;
        double[] d = g.Select(x => (1 - b1) * x / (Math.Sqrt((1 - b2) * x * x) + eps)).ToArray();
        double weightNorm = Math.Min(Norm(p.Select(x => (double)x)), 10.0), updateNorm = Norm(d);
        double trust = weightNorm == 0 || updateNorm == 0 ? 1 : weightNorm / (updateNorm + eps);
        double stepSize = lr / (1 - b1);
        return p.Select((x, i) => x - stepSize * trust * d[i]).ToArray();
    }

    private static double Norm(System.Collections.Generic.IEnumerable<double> values) => Math.Sqrt(values.Sum(x => x * x));

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 + 1e-6 * Math.Abs(expected[i]),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
