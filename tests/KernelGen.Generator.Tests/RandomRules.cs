using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Writes random optimizer classes from a small grammar of valid and invalid constructs: rules a
/// user might write, rules the language forbids (loops, unknown calls, writes to the gradient,
/// doubles, switch, goto, lambdas, strings, ...), C# that does not compile (missing semicolons,
/// unknown names, type errors) and wrong declarations (non-partial, nested, generic, missing or
/// duplicate roles). A third of the sources are tame (a well-formed declaration, few invalid
/// statements) so that some rules get through and their generated code is compiled too. The same
/// seed gives the same sources.
/// </summary>
internal sealed class RandomRules
{
    private readonly Random _random;
    private readonly List<(string Name, string Type)> _locals = new();
    private HashSet<string> _parameters = new();
    private int _nextLocal;
    private bool _wild;

    public RandomRules(int seed) => _random = new Random(seed);

    /// <summary>A whole file: one optimizer class (sometimes wrapped, sometimes malformed) in namespace <c>Fuzz</c>.</summary>
    public string NextSource()
    {
        _locals.Clear();
        _nextLocal = 0;
        var text = new StringBuilder();
        text.Append("using System;\nusing KernelGen;\n\nnamespace Fuzz;\n\n");
        _wild = !Chance(3);
        bool nested = Mutate(20);
        if (nested)
        {
            text.Append("internal static partial class Outer\n{\n");
        }

        bool derived = Mutate(20);
        if (derived)
        {
            text.Append("internal class Base\n{\n}\n\n");
        }

        if (!Mutate(20))
        {
            text.Append("[Optimizer]\n");
        }

        text.Append("internal ")
            .Append(Mutate(20) ? Pick("static ", "abstract ", "") : "sealed ")
            .Append(Mutate(15) ? "" : "partial ")
            .Append(Mutate(30) ? "struct " : "class ")
            .Append(Mutate(20) ? Pick("Rule", "Apply", "KernelArguments", "Run", "Optimizer") : "Fuzzed")
            .Append(Mutate(20) ? "<T>" : "")
            .Append(derived && !Chance(3) ? " : Base" : "")
            .Append("\n{\n");
        text.Append("    [Hyperparameter] public float LearningRate { get; set; } = 0.1f;\n");
        text.Append("    [Hyperparameter] public float Beta { get; set; } = 0.9f;\n");
        text.Append("    [Hyperparameter] public bool Flag { get; set; }\n");
        text.Append("    [Hyperparameter] public int Count { get; set; } = 3;\n");
        if (Mutate(8))
        {
            text.Append(Pick(
                "    [Hyperparameter] public double Wide { get; set; }\n",
                "    [Hyperparameter] public static float Shared { get; set; }\n",
                "    [Hyperparameter] public float ReadOnly { get; }\n",
                "    [Hyperparameter(\"lr2\", \"alias\")] public float Second { get; set; }\n"));
        }

        if (Chance(5))
        {
            text.Append("    private static float Helper(float x) => x * 2f;\n");
        }

        text.Append('\n');
        AppendRule(text, "Update");
        if (Mutate(12))
        {
            text.Append('\n');
            AppendRule(text, "Again");
        }

        text.Append("}\n");
        if (nested)
        {
            text.Append("}\n");
        }

        return text.ToString();
    }

    private void AppendRule(StringBuilder text, string name)
    {
        _locals.Clear();
        if (!Mutate(20))
        {
            text.Append("    [UpdateRule]\n");
        }

        List<string> parameters = Parameters();
        _parameters = new HashSet<string>(parameters.Select(p => p.Split(' ').Last()));
        text.Append("    private ")
            .Append(Mutate(15) ? "" : "static ")
            .Append(Mutate(15) ? "float " : "void ")
            .Append(Mutate(10) ? Pick("Apply", "Run", "StepTensor", "LoopScalar") : name)
            .Append(Mutate(20) ? "<T>" : "")
            .Append('(').Append(string.Join(", ", parameters)).Append(')');
        if (Mutate(15))
        {
            text.Append(" => param -= grad;\n");
            return;
        }

        text.Append("\n    {\n");
        int count = _random.Next(1, 8);
        for (int i = 0; i < count; i++)
        {
            Statement(text, "        ", depth: 0);
        }

        text.Append("    }\n");
    }

    private List<string> Parameters()
    {
        var all = new List<string>
        {
            "ref float param", "float grad", "ref float state", "[TensorState] ref float total",
            "float learningRate", "float beta", "bool flag", "int count", "[Step] int step",
        };
        var parameters = all.Where((p, i) => i < 2 ? !Mutate(15) : !Mutate(25)).ToList();
        if (Chance(10))
        {
            parameters = parameters.OrderBy(_ => _random.Next()).ToList();
        }

        if (Mutate(10))
        {
            parameters.Add(Pick(
                "[Step] int again", "in float extra", "out float result", "double wide", "ref int counter",
                "float other", "params float[] rest", "[Step] float fstep", "[TensorState] float tstate", "long big",
                "bool learningRate2", "int unknownCount", "ref bool mask", "float path", "float args"));
        }

        return parameters;
    }

    private void Statement(StringBuilder text, string indent, int depth)
    {
        int kind = _random.Next(100);
        if (kind < (_wild ? 85 : 98))
        {
            ValidStatement(text, indent, depth);
        }
        else
        {
            text.Append(indent).Append(InvalidStatement()).Append('\n');
        }
    }

    private void ValidStatement(StringBuilder text, string indent, int depth)
    {
        switch (_random.Next(11))
        {
            case 0:
            case 1:
            {
                string value = Float(2);
                text.Append(indent).Append($"float {NewLocal("float")} = {value};\n");
                break;
            }

            case 2:
            case 3:
                text.Append(indent).Append($"{FloatTarget()} {Pick("=", "=", "+=", "-=", "*=", "/=")} {Float(2)};\n");
                break;

            case 4:
            {
                string value = Bool(1);
                text.Append(indent).Append($"bool {NewLocal("bool")} = {value};\n");
                break;
            }

            case 5:
            {
                string value = Int(1);
                text.Append(indent).Append($"int {NewLocal("int")} = {value};\n");
                break;
            }

            case 6:
            case 7:
            case 8:
                if (depth < 2)
                {
                    text.Append(indent).Append($"if ({Bool(1)})\n").Append(indent).Append("{\n");
                    int before = _locals.Count;
                    for (int i = _random.Next(1, 3); i > 0; i--)
                    {
                        Statement(text, indent + "    ", depth + 1);
                    }

                    _locals.RemoveRange(before, _locals.Count - before);
                    text.Append(indent).Append("}\n");
                    if (Chance(2))
                    {
                        text.Append(indent).Append("else\n").Append(indent).Append("{\n");
                        Statement(text, indent + "    ", depth + 1);
                        _locals.RemoveRange(before, _locals.Count - before);
                        text.Append(indent).Append("}\n");
                    }
                }
                else
                {
                    text.Append(indent).Append($"param -= {Float(1)};\n");
                }

                break;

            case 9:
            {
                string value = Float(1);
                string name = NewLocal("float");
                text.Append(indent).Append(Pick($"const float {name} = 0.25f;\n", $"var {name} = {value};\n", $"float {name} = {value}, {name}b = 1f;\n"));
                break;
            }

            default:
                text.Append(indent).Append(Pick(
                    "total = total * beta + learningRate;\n",
                    "param = MathF.FusedMultiplyAdd(grad, -learningRate, param);\n",
                    "state = MathF.Max(state, MathF.Abs(grad));\n",
                    "param -= learningRate * KernelMath.Sign(grad) * MathF.Pow(beta, step);\n",
                    "param = Math.Max(param, grad);\n",
                    "param -= learningRate / (step + 1);\n"));
                break;
        }
    }

    private string InvalidStatement() => _random.Next(30) switch
    {
        0 => "for (int i = 0; i < 3; i++) { param -= grad; }",
        1 => "while (param > 1f) { param *= 0.5f; }",
        2 => "do { param *= 0.5f; } while (param > 1f);",
        3 => "foreach (var x in new[] { 1f, 2f }) { param -= x; }",
        4 => "param -= Helper(grad);",
        5 => "param -= Unknown(grad);",
        6 => "Console.WriteLine(grad);",
        7 => "grad = grad * 2f;",
        8 => "param -= 0.5 * grad;",
        9 => "double d = grad;",
        10 => "param -= grad",
        11 => "param -= ;",
        12 => "switch (flag) { case true: param -= grad; break; }",
        13 => "goto done; done: param -= grad;",
        14 => "string s = \"g\" + grad;",
        15 => "Func<float, float> twice = x => x * 2f;",
        16 => "return;",
        17 => "throw new InvalidOperationException();",
        18 => "param++;",
        19 => "learningRate = 1f;",
        20 => "param = MathF.Exp(grad) + MathF.Tanh(grad);",
        21 => "param = grad % 2f;",
        22 => "(param, state) = (state, param);",
        23 => "param = grad is > 0f ? 1f : 0f;",
        24 => "param = (float)Math.Sqrt(grad);",
        25 => "float Local(float x) => x; param = Local(grad);",
        26 => "ref float r = ref param; r = grad;",
        27 => "int k = grad > 0f ? 1 : 0; param -= k;",
        28 => "total = grad;",
        _ => "if (grad > 0f { param -= grad; }",
    };

    private string Float(int depth)
    {
        if (depth <= 0 || _random.Next(3) == 0)
        {
            return FloatLeaf();
        }

        return _random.Next(12) switch
        {
            0 or 1 or 2 or 3 => $"{Float(depth - 1)} {Pick("+", "-", "*", "/")} {Float(depth - 1)}",
            4 => $"({Float(depth - 1)} {Pick("+", "-")} {Float(depth - 1)})",
            5 => $"-{FloatLeaf()}",
            6 => $"MathF.{Pick("Sqrt", "Abs")}({Float(depth - 1)})",
            7 => $"MathF.{Pick("Max", "Min", "CopySign")}({Float(depth - 1)}, {Float(depth - 1)})",
            8 => $"MathF.FusedMultiplyAdd({Float(depth - 1)}, {Float(depth - 1)}, {Float(depth - 1)})",
            9 => Chance(4) ? $"MathF.{Pick("Exp", "Log")}({Float(depth - 1)})" : $"MathF.{Pick("Exp", "Log")}({Uniform()})",
            10 => $"({Bool(depth - 1)} ? {Float(depth - 1)} : {Float(depth - 1)})",
            _ => $"KernelMath.Sign({Float(depth - 1)})",
        };
    }

    private string FloatLeaf()
    {
        var names = new List<string> { "param", "grad", "state", "total", "learningRate", "beta" };
        names.AddRange(_locals.Where(l => l.Type == "float").Select(l => l.Name));
        return _random.Next(10) switch
        {
            0 => Pick("1f", "0.5f", "2f", "1e-8f", "0f", "-0f", "3"),
            1 => Pick("step", "count", "(float)step", "(float)count", "(step + 1)", "step / 2"),
            _ => Known(names),
        };
    }

    private string Uniform() => Pick("learningRate", "beta", "total", "(float)step", "learningRate * beta", "1f - beta");

    private string Bool(int depth)
    {
        var locals = _locals.Where(l => l.Type == "bool").Select(l => l.Name).ToList();
        int choice = _random.Next(depth > 0 ? 9 : 6);
        return choice switch
        {
            0 or 1 => $"{FloatLeaf()} {Pick(">", "<", ">=", "<=", "==", "!=")} {FloatLeaf()}",
            2 => Pick("flag", "!flag", "step == 1", "count > step"),
            3 => locals.Count > 0 ? locals[_random.Next(locals.Count)] : "flag",
            4 => "grad > 0f",
            5 => "learningRate > 0.05f",
            6 => $"{Bool(depth - 1)} {Pick("&&", "||", "&", "|")} {Bool(depth - 1)}",
            7 => $"!({Bool(depth - 1)})",
            _ => $"{Bool(depth - 1)} {Pick("==", "!=")} {Bool(depth - 1)}",
        };
    }

    private string Int(int depth)
    {
        var locals = _locals.Where(l => l.Type == "int").Select(l => l.Name).ToList();
        return _random.Next(7) switch
        {
            0 => "step",
            1 => "count",
            2 => depth > 0 ? $"{Int(depth - 1)} {Pick("+", "-", "*", "/")} {Int(depth - 1)}" : "step + 1",
            3 => locals.Count > 0 ? locals[_random.Next(locals.Count)] : "count",
            4 => Pick("1", "2", "-1"),
            5 => "flag ? step : count",
            _ => "count - step",
        };
    }

    private string FloatTarget()
    {
        var targets = new List<string> { "param", "param", "state", "total" };
        targets.AddRange(_locals.Where(l => l.Type == "float").Select(l => l.Name));
        return Known(targets);
    }

    /// <summary>Mostly a name that exists; now and then one the rule does not declare (a C# error).</summary>
    private string Known(List<string> names)
    {
        string name = names[_random.Next(names.Count)];
        return Mutate(40) ? "undeclared" : name;
    }

    private string NewLocal(string type)
    {
        string name = Chance(8)
            ? Pick("args", "path", "i", "length", "mask", "h0", "start", "value", "KernelArguments", "TFlag", "param_then", "s_rule", "gradRef")
            : "v" + _nextLocal;
        _nextLocal++;
        if (_locals.Any(l => l.Name == name) || _parameters.Contains(name))
        {
            name = "v" + _nextLocal++;
        }

        _locals.Add((name, type));
        return name;
    }

    private bool Chance(int oneIn) => _random.Next(oneIn) == 0;

    /// <summary>A chance of breaking the declaration or the C#: never in a tame source, so some rules get through.</summary>
    private bool Mutate(int oneIn) => _wild && Chance(oneIn);

    private string Pick(params string[] options) => options[_random.Next(options.Length)];
}
