using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Bench.Baselines;

/// <summary>
/// Binds a baseline to the arrays of one tensor and returns its step (the argument is the step
/// count, 1 on the first step). The baseline reads its hyper-parameters from <paramref name="optimizer"/>,
/// the optimizer it stands beside, configured by the profile. Binding happens once, outside the timed region.
/// </summary>
public delegate Action<int> BaselineFactory(TensorArrays arrays, Optimizer optimizer);

/// <summary>
/// How one built-in optimizer is benchmarked: the settings it runs with, the arrays one step
/// reads and writes under those settings (what the roofline moves), what per-element arithmetic
/// limits it, and its hand-written baselines.
/// </summary>
public sealed class BenchProfile
{
    /// <summary>Creates a profile.</summary>
    public BenchProfile(string name, string settings, Action<Optimizer> configure, IReadOnlyList<StepArray> arrays, string arithmetic,
        BaselineFactory? naive, BaselineFactory? tensorPrimitives)
    {
        Name = name;
        Settings = settings;
        Configure = configure;
        Arrays = arrays;
        Arithmetic = arithmetic;
        Naive = naive;
        TensorPrimitives = tensorPrimitives;
    }

    /// <summary>The name <see cref="BuiltInOptimizers"/> knows the optimizer by.</summary>
    public string Name { get; }

    /// <summary>The hyper-parameters that differ from the defaults, as text (<c>momentum=0.9</c>), or <c>defaults</c>.</summary>
    public string Settings { get; }

    /// <summary>Sets those hyper-parameters on a fresh optimizer.</summary>
    public Action<Optimizer> Configure { get; }

    /// <summary>The per-element arrays one step touches with these settings (the gradient is read once, the rest as listed).</summary>
    public IReadOnlyList<StepArray> Arrays { get; }

    /// <summary>
    /// The arrays a reducing pass reads before the update (Lamb's, LARS's and NovoGrad's norms), in
    /// the order the kernel loads them; empty for a one-pass step.
    /// </summary>
    public IReadOnlyList<StepArray> ReducingPass { get; init; } = Array.Empty<StepArray>();

    /// <summary>The per-element operations that can bound the loop besides memory (the divider and square root).</summary>
    public string Arithmetic { get; }

    /// <summary>The naive scalar loop a user writes by hand, or <see langword="null"/> when none is written yet.</summary>
    public BaselineFactory? Naive { get; }

    /// <summary>The step composed from <c>TensorPrimitives</c> calls, or <see langword="null"/> when none is written yet.</summary>
    public BaselineFactory? TensorPrimitives { get; }

    /// <summary>The bytes one step moves per element: 4 per array read plus 4 per array written, in every pass.</summary>
    public int BytesPerElement => ReducingPass.Sum(static a => a.BytesPerElement) + Arrays.Sum(static a => a.BytesPerElement);

    /// <summary>The arrays as one line: <c>param rw, grad r, expAvg rw</c>, after the reducing pass's when there is one.</summary>
    public string ArraysText => ReducingPass.Count == 0
        ? string.Join(", ", Arrays)
        : $"reducing pass {string.Join(", ", ReducingPass)}; update {string.Join(", ", Arrays)}";

    /// <summary>A fresh built-in optimizer with this profile's settings.</summary>
    /// <exception cref="InvalidOperationException">The name is not a built-in optimizer.</exception>
    public Optimizer CreateOptimizer()
    {
        if (!BuiltInOptimizers.TryCreate(Name, out Optimizer? optimizer))
        {
            throw new InvalidOperationException($"'{Name}' is not a built-in optimizer.");
        }

        Configure(optimizer);
        return optimizer;
    }
}
