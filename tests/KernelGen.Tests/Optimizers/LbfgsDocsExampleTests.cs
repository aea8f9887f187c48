using System;
using System.Linq;
using Xunit;

namespace KernelGen.Tests.Optimizers;

/// <summary>The LBFGS example of docs/optimizers.md.</summary>
public class LbfgsDocsExampleTests
{
    [Fact]
    public void LbfgsFitsALineWithAClosure()
    {
        // docs/optimizers.md's LBFGS example, verbatim but for the output line.
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
