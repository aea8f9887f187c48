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
