using System;
using System.Linq;
using KernelGen.Verification;
using Xunit;

namespace KernelGen.Tests;

// The README's custom optimizer, verbatim but for the names of the locals.

[Optimizer]
public sealed partial class SignMomentum
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.01f;
    [Hyperparameter] public float Beta { get; set; } = 0.9f;

    [UpdateRule]
    static void Update(ref float param, float grad, ref float momentum, float learningRate, float beta)
    {
        momentum = beta * momentum + (1f - beta) * grad;
        param -= learningRate * KernelMath.Sign(momentum);
    }
}

public class ReadmeExampleTests
{
    [Fact]
    public void CustomOptimizerMatchesItsRule()
    {
        var parameters = new float[1000];
        var gradients = new float[1000];
        var optimizer = new SignMomentum { LearningRate = 0.1f };
        optimizer.Add(parameters, gradients);
        gradients.AsSpan().Fill(0.5f);
        optimizer.Step();

        var reference = new SignMomentum { LearningRate = 0.1f };
        var referenceParameters = new float[1000];
        reference.Add(referenceParameters, gradients);
        reference.StepWithRule();

        Assert.True(parameters.AsSpan().SequenceEqual(referenceParameters));
        Assert.Equal(-0.1f, parameters[999]);
    }
}

public class ReadmeLbfgsExampleTests
{
    [Fact]
    public void LbfgsFitsALineWithAClosure()
    {
        // The README's LBFGS example, verbatim but for the output line.
        float[] xs = { 0f, 1f, 2f, 3f, 4f };
        float[] ys = { 1.1f, 2.9f, 5.2f, 7.1f, 8.8f };
        var line = new float[2];                                  // slope, intercept
        var gradient = new float[2];
        var lbfgs = new LBFGS { LineSearch = LineSearchFunction.StrongWolfe };
        lbfgs.Add(line, gradient);

        float SquaredError()                                      // the closure: loss and gradient at the current line
        {
            gradient.AsSpan().Clear();
            float loss = 0f;
            for (int i = 0; i < xs.Length; i++)
            {
                float error = line[0] * xs[i] + line[1] - ys[i];
                loss += error * error;
                gradient[0] += 2f * error * xs[i];
                gradient[1] += 2f * error;
            }

            return loss;
        }

        Func<float> closure = SquaredError;                       // made once: a method group makes a delegate per use
        float first = lbfgs.Step(closure);                        // up to 20 iterations; 0 bytes from the second step on

        // The least-squares line in closed form, in double.
        double meanX = 0, meanY = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            meanX += xs[i] / 5.0;
            meanY += ys[i] / 5.0;
        }

        double covariance = 0, variance = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            covariance += (xs[i] - meanX) * (ys[i] - meanY);
            variance += (xs[i] - meanX) * (xs[i] - meanX);
        }

        double slope = covariance / variance;
        Assert.Equal(slope, line[0], 1e-4);
        Assert.Equal(meanY - slope * meanX, line[1], 1e-4);
        Assert.Equal(ys.Sum(y => y * y), first, 1e-3);            // the first loss is at the starting line, y = 0
        Assert.InRange(lbfgs.FunctionEvaluations, 2, 25);
        Assert.Equal(0, AllocationProbe.LeastAllocatedOver(() => lbfgs.Step(closure), steps: 3));
    }
}
