using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Disasm;

namespace KernelGen.Tests.Neon;

/// <summary>
/// The configurations the NEON probe steps for one optimizer, so that each uniform branch of its
/// rule is compiled taken and not taken: the defaults; each bool hyper-parameter flipped; each
/// float hyper-parameter that defaults to 0 set non-zero (the <c>weightDecay != 0</c> and
/// <c>momentum != 0</c> kind of condition); and all of those at once. The probe takes steps 1 to
/// 7 of each, for <c>step == 1</c> and branches taken later. Whether every flag of the loop was in fact compiled both ways
/// is checked by <see cref="NeonLoopTests.EveryUniformBranchIsCompiledBothWays"/>; a condition
/// these cannot reach gets its case in <see cref="Extra"/>.
/// </summary>
internal static class BranchCases
{
    /// <summary>Hand-written cases for conditions the generic ones do not reach, by optimizer name.</summary>
    private static readonly Dictionary<string, ProbeCase[]> Extra = new(StringComparer.OrdinalIgnoreCase)
    {
        // Nesterov is valid only with momentum and no dampening (torch's rule), which no single flip reaches.
        ["SGD"] = [new ProbeCase("SGD", [new("momentum", 0.9), new("nesterov", 1)])],
        // Averaging starts after t0 steps (default 1e6): t0 = 0 takes the averaging branch.
        ["ASGD"] = [new ProbeCase("ASGD", [new("t0", 0)])],
        // ADOPT's lerp weight 1 − β₁ takes torch's second form from ½ on: β₁ = 0.3.
        ["ADOPT"] = [new ProbeCase("ADOPT", [new("betas[0]", 0.3)])],
        // MADGRAD's momentum defaults to 0.9: momentum 0 takes the plain dual-averaging branch.
        ["MADGRAD"] = [new ProbeCase("MADGRAD", [new("momentum", 0)])],
        // LARS's momentum defaults to 0.9, which no flip turns off: momentum 0 compiles the loop without the buffer.
        ["LARS"] = [new ProbeCase("LARS", [new("momentum", 0)])],
    };

    /// <summary>The cases for <paramref name="name"/>; <paramref name="create"/> makes one with its defaults.</summary>
    public static IReadOnlyList<ProbeCase> For(string name, Func<Optimizer> create)
    {
        Optimizer defaults = create();
        var cases = new List<ProbeCase> { new(name) };
        var all = new List<KeyValuePair<string, double>>();
        foreach (RuleHyperparameter hyperparameter in defaults.Rule.Hyperparameters)
        {
            if (SettingName(defaults, hyperparameter.Name) is not { } setting || !defaults.TryGetHyperparameter(setting, out double value))
            {
                continue;
            }

            double? other = hyperparameter.Type switch
            {
                RuleValueType.Bool => value == 0 ? 1 : 0,
                RuleValueType.Float when value == 0 => 0.5,
                _ => null,
            };
            if (other is { } changed)
            {
                var pair = new KeyValuePair<string, double>(setting, changed);
                cases.Add(new ProbeCase(name, [pair]));
                all.Add(pair);
            }
        }

        // Loss scaling is a flag of every loop: a scale other than 1 compiles the unscaling branch.
        var scaled = new KeyValuePair<string, double>(nameof(Optimizer.GradientScale), 1024);
        cases.Add(new ProbeCase(name, [scaled]));
        all.Add(scaled);
        cases.Add(new ProbeCase(name, all));

        if (Extra.TryGetValue(name, out ProbeCase[]? extra))
        {
            cases.AddRange(extra);
        }

        // A combination the optimizer refuses (e.g. Nesterov without momentum) is no configuration to compile.
        return cases.Where(c => IsValid(c, create)).ToList();
    }

    private static bool IsValid(ProbeCase probeCase, Func<Optimizer> create)
    {
        Optimizer optimizer = create();
        foreach (KeyValuePair<string, double> setting in probeCase.Settings)
        {
            if (setting.Key == nameof(Optimizer.GradientScale))
            {
                continue;
            }

            optimizer.TrySetHyperparameter(setting.Key, setting.Value);
        }

        try
        {
            optimizer.Validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // The rule names a hyper-parameter as its parameter (learningRate); the optimizer takes its
    // property name (LearningRate) or an alias.
    private static string? SettingName(Optimizer optimizer, string ruleName)
    {
        string property = char.ToUpperInvariant(ruleName[0]) + ruleName[1..];
        return new[] { ruleName, property }.FirstOrDefault(n => optimizer.TryGetHyperparameter(n, out _));
    }
}
