using System;
using KernelGen;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// A hand-written optimizer for testing the conformance runner without the generator or the
/// built-ins: torch's SGD without momentum (<c>d = (maximize ? -g : g) + weight_decay * p;
/// p -= lr * d</c>), as a plain loop. It can be told to corrupt one element at one step, to show
/// how the runner words a difference, and records the kernel path it was asked to run on.
/// </summary>
internal sealed class SgdDouble : Optimizer
{
    // Optimizer.Add sizes the state from the rule, so even a double needs one: no state, the same
    // three hyper-parameters. Parsed through the public API (UpdateRule.Parse).
    private const string RuleIr =
        "(rule SgdDouble (param param) (grad grad) (hyper lr float) (hyper weight_decay float) (hyper maximize bool) "
        + "(body (local d float (add (cond maximize (neg grad) grad) (mul weight_decay param))) "
        + "(set param (sub param (mul lr d)))))";

    private static readonly Lazy<UpdateRule> ParsedRule = new(() => UpdateRule.Parse(RuleIr));

    private float _lr = 1e-3f;
    private float _weightDecay;
    private bool _maximize;

    /// <summary>When set, adds 0.01 to this (1-based step, tensor, element) after the update.</summary>
    public (int Step, int Tensor, int Element)? Corruption { get; init; }

    /// <summary>When set, <see cref="Optimizer.Step"/> throws at this 1-based step.</summary>
    public int? ThrowAtStep { get; init; }

    /// <summary>The path the last step ran on.</summary>
    public KernelPath? LastPath { get; private set; }

    public override UpdateRule Rule => ParsedRule.Value;

    public override System.Collections.Generic.IReadOnlyList<string> HyperparameterNames { get; } = new[] { "lr", "weight_decay", "maximize" };

    public override bool TrySetHyperparameter(string name, double value)
    {
        switch (name)
        {
            case "lr":
                _lr = (float)value;
                return true;
            case "weight_decay":
                _weightDecay = (float)value;
                return true;
            case "maximize":
                _maximize = value != 0;
                return true;
            default:
                return false;
        }
    }

    public override bool TryGetHyperparameter(string name, out double value)
    {
        value = name switch
        {
            "lr" => _lr,
            "weight_decay" => _weightDecay,
            "maximize" => _maximize ? 1 : 0,
            _ => double.NaN,
        };
        return !double.IsNaN(value);
    }

    protected override void StepTensors(Span<ParameterTensor> tensors, KernelPath path)
    {
        LastPath = path;
        foreach (ParameterTensor tensor in tensors)
        {
            int step = tensor.Step + 1;
            if (step == ThrowAtStep)
            {
                throw new InvalidOperationException("the double was told to fail here");
            }

            StepTensorWithRule(tensor, step);
            if (Corruption is { } c && c.Step == step && c.Tensor == tensor.Index)
            {
                tensor.Parameter.Span[c.Element] += 0.01f;
            }
        }
    }

    protected override void StepTensorWithRule(ParameterTensor tensor, int step)
    {
        Span<float> parameter = tensor.Parameter.Span;
        ReadOnlySpan<float> gradient = tensor.Gradient.Span;
        for (int i = 0; i < parameter.Length; i++)
        {
            float d = (_maximize ? -gradient[i] : gradient[i]) + _weightDecay * parameter[i];
            parameter[i] -= _lr * d;
        }
    }

    protected override void WriteHyperparameters(Span<double> values)
    {
        values[0] = _lr;
        values[1] = _weightDecay;
        values[2] = _maximize ? 1 : 0;
    }
}
