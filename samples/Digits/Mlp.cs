using System;

namespace KernelGen.Samples.Digits;

/// <summary>
/// A 64-64-10 perceptron with ReLU and softmax cross-entropy, forward and backward by hand.
/// Parameters and gradients are flat arrays the optimizer registers once.
/// </summary>
public sealed class Mlp
{
    public const int Hidden = 64;

    private readonly int _batch;
    private readonly float[] _hidden;
    private readonly float[] _logits;
    private readonly float[] _hiddenGradient;
    private readonly float[] _logitsGradient;

    public Mlp(int batch, int seed)
    {
        _batch = batch;
        var random = new Random(seed);
        W1 = Uniform(random, Hidden * DigitsData.Features, 1f / MathF.Sqrt(DigitsData.Features));
        B1 = new float[Hidden];
        W2 = Uniform(random, DigitsData.Classes * Hidden, 1f / MathF.Sqrt(Hidden));
        B2 = new float[DigitsData.Classes];
        GradW1 = new float[W1.Length];
        GradB1 = new float[B1.Length];
        GradW2 = new float[W2.Length];
        GradB2 = new float[B2.Length];
        _hidden = new float[batch * Hidden];
        _logits = new float[batch * DigitsData.Classes];
        _hiddenGradient = new float[batch * Hidden];
        _logitsGradient = new float[batch * DigitsData.Classes];
    }

    public float[] W1 { get; }

    public float[] B1 { get; }

    public float[] W2 { get; }

    public float[] B2 { get; }

    public float[] GradW1 { get; }

    public float[] GradB1 { get; }

    public float[] GradW2 { get; }

    public float[] GradB2 { get; }

    public int ParameterCount => W1.Length + B1.Length + W2.Length + B2.Length;

    /// <summary>Runs before each forward pass (training and <see cref="Accuracy"/>): where the parameters are stored in another type, it fills this model's float32 arrays from them.</summary>
    public Action? BeforeForward { get; set; }

    /// <summary>Runs after each backward pass: where the gradients are stored in another type, it rounds this model's float32 gradients into them.</summary>
    public Action? AfterBackward { get; set; }

    /// <summary>
    /// Forward and backward over <paramref name="count"/> rows; returns the mean loss and fills the
    /// gradients. <paramref name="outputLayerReady"/>, when given, runs as soon as the output layer's
    /// gradients are complete, before the hidden layer's are computed (which no longer read W2).
    /// </summary>
    public float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<int> y, int count, Action? outputLayerReady = null)
    {
        BeforeForward?.Invoke();
        Forward(x, count);
        float loss = 0f;
        for (int n = 0; n < count; n++)
        {
            Span<float> logits = _logits.AsSpan(n * DigitsData.Classes, DigitsData.Classes);
            Span<float> gradient = _logitsGradient.AsSpan(n * DigitsData.Classes, DigitsData.Classes);
            float max = float.NegativeInfinity;
            foreach (float value in logits)
            {
                max = MathF.Max(max, value);
            }

            float sum = 0f;
            for (int k = 0; k < logits.Length; k++)
            {
                gradient[k] = MathF.Exp(logits[k] - max);
                sum += gradient[k];
            }

            loss += MathF.Log(sum) + max - logits[y[n]];
            for (int k = 0; k < logits.Length; k++)
            {
                gradient[k] = (gradient[k] / sum - (k == y[n] ? 1f : 0f)) / count;
            }
        }

        // Output layer.
        Array.Clear(GradW2);
        Array.Clear(GradB2);
        Array.Clear(_hiddenGradient);
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> h = _hidden.AsSpan(n * Hidden, Hidden);
            Span<float> dh = _hiddenGradient.AsSpan(n * Hidden, Hidden);
            for (int k = 0; k < DigitsData.Classes; k++)
            {
                float d = _logitsGradient[n * DigitsData.Classes + k];
                GradB2[k] += d;
                Span<float> gradRow = GradW2.AsSpan(k * Hidden, Hidden);
                ReadOnlySpan<float> weightRow = W2.AsSpan(k * Hidden, Hidden);
                for (int j = 0; j < Hidden; j++)
                {
                    gradRow[j] += d * h[j];
                    dh[j] += d * weightRow[j];
                }
            }

            for (int j = 0; j < Hidden; j++)
            {
                if (h[j] <= 0f)
                {
                    dh[j] = 0f; // ReLU
                }
            }
        }

        outputLayerReady?.Invoke();

        // Hidden layer.
        Array.Clear(GradW1);
        Array.Clear(GradB1);
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> input = x.Slice(n * DigitsData.Features, DigitsData.Features);
            ReadOnlySpan<float> dh = _hiddenGradient.AsSpan(n * Hidden, Hidden);
            for (int j = 0; j < Hidden; j++)
            {
                float d = dh[j];
                if (d == 0f)
                {
                    continue;
                }

                GradB1[j] += d;
                Span<float> gradRow = GradW1.AsSpan(j * DigitsData.Features, DigitsData.Features);
                for (int i = 0; i < DigitsData.Features; i++)
                {
                    gradRow[i] += d * input[i];
                }
            }
        }

        AfterBackward?.Invoke();
        return loss / count;
    }

    /// <summary>The share of rows whose highest logit is their label.</summary>
    public double Accuracy(ReadOnlySpan<float> x, ReadOnlySpan<int> y)
    {
        BeforeForward?.Invoke();
        int correct = 0;
        for (int start = 0; start < y.Length; start += _batch)
        {
            int count = Math.Min(_batch, y.Length - start);
            Forward(x.Slice(start * DigitsData.Features), count);
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<float> logits = _logits.AsSpan(n * DigitsData.Classes, DigitsData.Classes);
                int best = 0;
                for (int k = 1; k < logits.Length; k++)
                {
                    if (logits[k] > logits[best])
                    {
                        best = k;
                    }
                }

                correct += best == y[start + n] ? 1 : 0;
            }
        }

        return (double)correct / y.Length;
    }

    private void Forward(ReadOnlySpan<float> x, int count)
    {
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> input = x.Slice(n * DigitsData.Features, DigitsData.Features);
            Span<float> h = _hidden.AsSpan(n * Hidden, Hidden);
            for (int j = 0; j < Hidden; j++)
            {
                float a = B1[j] + Dot(W1.AsSpan(j * DigitsData.Features, DigitsData.Features), input);
                h[j] = MathF.Max(a, 0f);
            }

            Span<float> logits = _logits.AsSpan(n * DigitsData.Classes, DigitsData.Classes);
            for (int k = 0; k < DigitsData.Classes; k++)
            {
                logits[k] = B2[k] + Dot(W2.AsSpan(k * Hidden, Hidden), h);
            }
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static float[] Uniform(Random random, int length, float bound)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * bound;
        }

        return values;
    }
}
