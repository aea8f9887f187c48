using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The hyper-parameter members: values by index, range checks, names and aliases, get and set by name.
internal sealed partial class KernelEmitter
{
    /// <summary>The hyper-parameters by name, as the optimizer's settings, checkpoints and range checks read and write them.</summary>
    private void WriteHyperparameterMembers()
    {
        _w.Line("/// <inheritdoc/>");
        WriteOptimizedFromFirstCall();
        using (_w.Block($"protected override void WriteHyperparameters({TypeNames.HyperparameterValues} values)"))
        {
            int index = 0;
            foreach (RuleParameter hyper in _rule.Parameters.Where(p => p.Role == ParameterRole.Hyperparameter))
            {
                string value = hyper.Kind == ValueKind.Bool ? $"{hyper.PropertyName} ? 1d : 0d" : hyper.PropertyName!;
                _w.Line($"values[{index++}] = {value};");
            }
        }

        List<HyperparameterModel> bounded = _rule.Hyperparameters.Where(h => h.Minimum is not null || h.Maximum is not null).ToList();
        if (bounded.Count > 0)
        {
            _w.Line();
            _w.Line("/// <inheritdoc/>");
            WriteOptimizedFromFirstCall();
            using (_w.Block("protected override void ValidateHyperparameterRanges()"))
            {
                foreach (HyperparameterModel hyper in bounded)
                {
                    string minimum = hyper.Minimum is null ? "double.NegativeInfinity" : DoubleLiteral(hyper.Minimum);
                    string maximum = hyper.Maximum is null ? "double.PositiveInfinity" : DoubleLiteral(hyper.Maximum);
                    _w.Line($"{TypeNames.Guard}.InRange({hyper.PropertyName}, {minimum}, {maximum}, {(hyper.MaximumIsExclusive ? "true" : "false")}, nameof({hyper.PropertyName}));");
                }
            }
        }

        _w.Line();
        _w.Line("private static readonly string[] s_hyperparameterNames = { " + string.Join(", ", _rule.Hyperparameters.Select(h => $"\"{h.PropertyName}\"")) + " };");
        _w.Line();
        _w.Line("/// <inheritdoc/>");
        _w.Line($"public override {TypeNames.StringList} HyperparameterNames => s_hyperparameterNames;");
        _w.Line();
        _w.Line("/// <inheritdoc/>");
        WriteOptimizedFromFirstCall();
        using (_w.Block("public override bool TrySetHyperparameter(string name, double value)"))
        {
            using (_w.Block("switch (name)"))
            {
                foreach (HyperparameterModel hyper in _rule.Hyperparameters)
                {
                    WriteCases(hyper);
                    string value = hyper.Kind switch
                    {
                        ValueKind.Float => "(float)value",
                        ValueKind.Int => $"{TypeNames.Guard}.ToInt(value, name)",
                        _ => $"{TypeNames.Guard}.ToBool(value, name)",
                    };
                    _w.Line($"    {hyper.PropertyName} = {value};");
                    _w.Line("    return true;");
                }

                _w.Line("default:");
                _w.Line("    return false;");
            }
        }

        _w.Line();
        _w.Line("/// <inheritdoc/>");
        WriteOptimizedFromFirstCall();
        using (_w.Block("public override bool TryGetHyperparameter(string name, out double value)"))
        {
            using (_w.Block("switch (name)"))
            {
                foreach (HyperparameterModel hyper in _rule.Hyperparameters)
                {
                    WriteCases(hyper);
                    _w.Line($"    value = {(hyper.Kind == ValueKind.Bool ? $"{hyper.PropertyName} ? 1d : 0d" : hyper.PropertyName)};");
                    _w.Line("    return true;");
                }

                _w.Line("default:");
                _w.Line("    value = 0;");
                _w.Line("    return false;");
            }
        }
    }

    private void WriteCases(HyperparameterModel hyper)
    {
        foreach (string name in new[] { hyper.PropertyName }.Concat(hyper.Aliases).Distinct())
        {
            _w.Line($"case \"{name.Replace("\\", "\\\\").Replace("\"", "\\\"")}\":");
        }
    }

    private static string DoubleLiteral(string text) => text switch
    {
        "NaN" => "double.NaN",
        "Infinity" or "∞" => "double.PositiveInfinity",
        "-Infinity" or "-∞" => "double.NegativeInfinity",
        _ => text.Contains('.') || text.Contains('E') ? text + "d" : text + ".0",
    };
}
