using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using KernelGen.Language;
using KernelGen.Testing;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The catalog of the rule language's functions drives the generator, the IR and the interpreter:
/// every function it lists is generated, read back and evaluated as its C# method, and the docs
/// list exactly its functions.
/// </summary>
public class RuleFunctionCatalogTests
{
    /// <summary>Every function, by its IR token (the catalog's types are internal, test arguments public).</summary>
    public static IEnumerable<object[]> Functions => RuleFunctions.All.Select(f => new object[] { f.IrToken });

    [Fact]
    public void TheCatalogListsEveryFunctionOnceInEnumOrder()
    {
        RuleFunction[] functions = Enum.GetValues<RuleFunction>();
        Assert.Equal(functions.Length, RuleFunctions.All.Count);
        foreach (RuleFunction function in functions)
        {
            Assert.Equal(function, RuleFunctions.Of(function).Function);
        }

        Assert.Equal(RuleFunctions.All.Count, RuleFunctions.All.Select(f => f.IrToken).Distinct().Count());
        Assert.Equal(RuleFunctions.All.Count, RuleFunctions.All.Select(f => f.CSharpName).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void EveryFunctionIsAFloatMethodOfItsType(string token)
    {
        RuleFunctionInfo info = RuleFunctions.FromIrToken(token)!;
        MethodInfo? method = MethodOf(info);
        Assert.True(method is not null, $"{info.TypeName} has no method {info.MethodName} taking {info.Arity} floats and returning a float.");
    }

    [Fact]
    public void TheIrReferenceTablesExactlyTheCatalog()
    {
        string doc = ReadResource("Docs.ir.md");
        var rows = Regex.Matches(doc, @"^\| `(?<token>[a-z]+)` \| `(?<csharp>[A-Za-z]+\.[A-Za-z]+)` \| (?<arity>\d) \| (?<domain>[a-z ]+) \|$", RegexOptions.Multiline)
            .Select(m => $"{m.Groups["token"].Value} {m.Groups["csharp"].Value} {m.Groups["arity"].Value} {m.Groups["domain"].Value}")
            .ToArray();
        string[] expected = RuleFunctions.All.Select(f => $"{f.IrToken} {f.CSharpName} {f.Arity} {DocDomain(f.Domain)}").ToArray();
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void TheReadmeListsExactlyTheCatalog()
    {
        // The paragraph that starts "Allowed:" names the functions as `Type.A/B/C`, each group before
        // the words that say where they apply.
        string readme = ReadResource("Docs.README.md").Replace("\r\n", "\n");
        int start = readme.IndexOf("\nAllowed:", StringComparison.Ordinal);
        Assert.True(start >= 0, "The README has no paragraph starting 'Allowed:'.");
        int end = readme.IndexOf("\n\n", start + 1, StringComparison.Ordinal);
        string paragraph = readme.Substring(start, (end < 0 ? readme.Length : end) - start).Replace("\n", " ");

        var listed = new List<string>();
        string rest = paragraph;
        foreach (FunctionDomain domain in Enum.GetValues<FunctionDomain>())
        {
            string phrase = ReadmeDomain(domain);
            int at = rest.IndexOf(phrase, StringComparison.Ordinal);
            Assert.True(at >= 0, $"The README's 'Allowed:' paragraph does not say '{phrase}' after the functions that apply so.");
            foreach (Match group in Regex.Matches(rest.Substring(0, at), @"`(?<type>[A-Za-z]+)\.(?<names>[A-Za-z]+(/[A-Za-z]+)*)`"))
            {
                listed.AddRange(group.Groups["names"].Value.Split('/').Select(name => $"{group.Groups["type"].Value}.{name} {domain}"));
            }

            rest = rest.Substring(at + phrase.Length);
        }

        string[] expected = RuleFunctions.All.Select(f => $"{f.CSharpName} {f.Domain}").OrderBy(s => s, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, listed.OrderBy(s => s, StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void TheInterpreterEvaluatesEveryFunctionAsItsMethod(string token)
    {
        RuleFunctionInfo info = RuleFunctions.FromIrToken(token)!;
        if (info.Domain == FunctionDomain.Reduction)
        {
            return; // one value for the whole tensor: the reduction tests compare it with the kernels
        }

        MethodInfo method = MethodOf(info)!;
        float[] values = { 0.5f, -2.25f, 3f, 0f, -0f, 1e-20f, float.PositiveInfinity, float.NaN };
        for (int i = 0; i < values.Length; i++)
        {
            // The operands are the parameter, the gradient and a hyper-parameter.
            float p = values[i], g = values[(i + 3) % values.Length], h = values[(i + 5) % values.Length];
            string[] operands = new[] { "p", "g", "h" }.Take(info.Arity).ToArray();
            UpdateRule rule = UpdateRule.Parse($"(rule R (param p) (grad g) (hyper h float) (body (set p (call {info.IrToken} {string.Join(" ", operands)}))))");
            float[] parameter = { p };
            RuleInterpreter.Run<float>(rule, parameter, new[] { g }, Array.Empty<float[]>(), Span<float>.Empty, new double[] { h }, 1);

            object[] arguments = new object[] { p, g, h }.Take(info.Arity).ToArray();
            float expected = (float)method.Invoke(null, arguments)!;
            Assert.True(SameBits.Of(expected, parameter[0]), $"{info.CSharpName}({string.Join(", ", arguments)}): expected {expected:R}, the interpreter gave {parameter[0]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void EveryFunctionGeneratesKernelsWithTheRulesBits(string token)
    {
        RuleFunctionInfo info = RuleFunctions.FromIrToken(token)!;

        // Per-element functions and reductions take varying operands; uniform ones hyper-parameters.
        string[] operands = info.Domain == FunctionDomain.UniformOnly
            ? new[] { "learningRate", "beta", "learningRate" }
            : new[] { "grad", "param", "beta" };
        string call = $"{info.CSharpName}({string.Join(", ", operands.Take(info.Arity))})";
        string source = $$"""
            using System;
            using KernelGen;

            namespace Rules;

            [Optimizer]
            internal sealed partial class Calls
            {
                [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
                [Hyperparameter] public float Beta { get; set; } = 0.9f;

                [UpdateRule]
                private static void Update(ref float param, float grad, float learningRate, float beta)
                {
                    param -= learningRate * grad + beta * {{call}};
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        GeneratedAssert.Clean(run);
        Assert.Contains($"(call {info.IrToken} ", run.SingleSource, StringComparison.Ordinal);
        if (info.Domain != FunctionDomain.Reduction)
        {
            // A reduction has no value for one element: the reduction tests check its kernels against the interpreter.
            Assert.Empty(KernelOracle.Mismatches(run, "Rules.Calls", seed: (int)info.Function));
        }
    }

    private static MethodInfo? MethodOf(RuleFunctionInfo info)
    {
        Type? type = info.TypeName == RuleFunctions.KernelMathType ? typeof(KernelMath) : Type.GetType(info.TypeName);
        return type?.GetMethod(info.MethodName, BindingFlags.Public | BindingFlags.Static, Enumerable.Repeat(typeof(float), info.Arity).ToArray()) is { } method
            && method.ReturnType == typeof(float) ? method : null;
    }

    private static string DocDomain(FunctionDomain domain) => domain switch
    {
        FunctionDomain.PerElement => "per element",
        FunctionDomain.UniformOnly => "uniform",
        _ => "reduction",
    };

    private static string ReadmeDomain(FunctionDomain domain) => domain switch
    {
        FunctionDomain.PerElement => "on any value",
        FunctionDomain.UniformOnly => "on uniform values",
        _ => "over the whole tensor",
    };

    private static string ReadResource(string name)
    {
        using Stream stream = typeof(RuleFunctionCatalogTests).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException(name + " is not embedded in the test assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
