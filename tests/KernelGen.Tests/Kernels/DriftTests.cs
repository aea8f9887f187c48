using System;
using Xunit;

namespace KernelGen.Tests.Kernels;

/// <summary>The interpreter's double mode measures how far float arithmetic drifts from double.</summary>
public class DriftTests
{
    [Fact]
    public void AdamWInFloatStaysCloseToDouble()
    {
        const int length = 257, steps = 200;
        var adamW = new AdamW { LearningRate = 0.01f };
        var random = new Random(3);
        float[] parameters = new float[length];
        for (int i = 0; i < length; i++)
        {
            parameters[i] = (float)(random.NextDouble() * 2 - 1);
        }

        float[] gradients = new float[length];
        adamW.Add(parameters, gradients);

        double[] p = Array.ConvertAll(parameters, x => (double)x);
        double[][] states = { new double[length], new double[length], new double[length] };
        var hyper = new double[adamW.Rule.Hyperparameters.Count];
        for (int i = 0; i < hyper.Length; i++)
        {
            // The rule's hyper-parameters are the properties of the same name.
            Assert.True(adamW.TryGetHyperparameter(char.ToUpperInvariant(adamW.Rule.Hyperparameters[i].Name[0]) + adamW.Rule.Hyperparameters[i].Name[1..], out hyper[i]));
        }

        for (int s = 1; s <= steps; s++)
        {
            for (int i = 0; i < length; i++)
            {
                gradients[i] = (float)(random.NextDouble() - 0.5);
            }

            adamW.Step();
            RuleInterpreter.Run<double>(adamW.Rule, p, Array.ConvertAll(gradients, x => (double)x), states, Span<double>.Empty, hyper, s);
        }

        double worst = 0;
        for (int i = 0; i < length; i++)
        {
            worst = Math.Max(worst, Math.Abs(parameters[i] - p[i]));
        }

        // Float tracks double to a few ulps of the parameters' scale after 200 steps; a wrong
        // rule (or a wrong interpreter) would be off by whole learning-rate steps (1e-2).
        Assert.InRange(worst, 1e-9, 1e-4);
    }
}
