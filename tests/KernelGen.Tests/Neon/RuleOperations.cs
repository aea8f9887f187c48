using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace KernelGen.Tests.Neon;

/// <summary>
/// The per-element operations a rule asks for, read from its IR (docs/ir.md): square roots,
/// divisions and fused multiply-adds whose operands are varying. Uniform ones are hoisted out of
/// the loop by the generator, so only these may appear in the Vector128 loop's code. A reduction's
/// result is uniform too: it is computed by the reducing pass, before the loop.
/// </summary>
/// <remarks>
/// Varying names are found flow-insensitively: the parameter, the gradient, the state buffers, and
/// every local that is ever assigned a varying value or assigned under a varying condition (the
/// generator turns such an <c>if</c> into a select, so the local holds lanes).
/// </remarks>
internal sealed class RuleOperations
{
    private RuleOperations(int squareRoots, int divisions, int fusedMultiplyAdds)
    {
        SquareRoots = squareRoots;
        Divisions = divisions;
        FusedMultiplyAdds = fusedMultiplyAdds;
    }

    /// <summary><c>(call sqrt e)</c> with a varying <c>e</c>.</summary>
    public int SquareRoots { get; }

    /// <summary><c>(div a b)</c> with a varying operand.</summary>
    public int Divisions { get; }

    /// <summary><c>(call fma a b c)</c> with a varying operand: the rule's explicit <c>MathF.FusedMultiplyAdd</c>.</summary>
    public int FusedMultiplyAdds { get; }

    /// <summary>Reads a rule's IR text.</summary>
    public static RuleOperations Of(UpdateRule rule)
    {
        var tree = (List<object>)Read(rule.Text);
        var varying = new HashSet<string>(StringComparer.Ordinal);
        List<object>? body = null;
        foreach (List<object> declaration in tree.Skip(2).OfType<List<object>>())
        {
            switch (declaration[0])
            {
                case "param" or "grad" or "state":
                    varying.Add((string)declaration[1]);
                    break;
                case "body":
                    body = declaration;
                    break;
            }
        }

        IEnumerable<object> statements = body?.Skip(1) ?? Enumerable.Empty<object>();
        while (MarkVaryingLocals(statements, varying, underVaryingCondition: false))
        {
            // Until no local changes: a local may be read before the assignment that makes it varying.
        }

        int sqrt = 0, div = 0, fma = 0;
        foreach (List<object> node in Nodes(statements))
        {
            bool varyingOperand = node.Skip(1).Any(operand => IsVarying(operand, varying));
            if (node[0] is "call" && node[1] is string function)
            {
                bool varyingArgument = node.Skip(2).Any(operand => IsVarying(operand, varying));
                sqrt += function == "sqrt" && varyingArgument ? 1 : 0;
                fma += function == "fma" && varyingArgument ? 1 : 0;
            }
            else if (node[0] is "div" && varyingOperand)
            {
                div++;
            }
        }

        return new RuleOperations(sqrt, div, fma);
    }

    /// <inheritdoc/>
    public override string ToString() => $"varying sqrt {SquareRoots}, div {Divisions}, fma {FusedMultiplyAdds}";

    private static bool MarkVaryingLocals(IEnumerable<object> statements, HashSet<string> varying, bool underVaryingCondition)
    {
        bool changed = false;
        foreach (List<object> statement in statements.OfType<List<object>>())
        {
            switch (statement[0])
            {
                case "local" when statement.Count == 4:
                case "set":
                    if ((underVaryingCondition || IsVarying(statement[^1], varying)) && varying.Add((string)statement[1]))
                    {
                        changed = true;
                    }

                    break;
                case "if":
                    bool condition = underVaryingCondition || IsVarying(statement[1], varying);
                    changed |= MarkVaryingLocals(((List<object>)statement[2]).Skip(1), varying, condition);
                    changed |= MarkVaryingLocals(((List<object>)statement[3]).Skip(1), varying, condition);
                    break;
            }
        }

        return changed;
    }

    private static bool IsVarying(object expression, HashSet<string> varying) => expression switch
    {
        string name => varying.Contains(name),
        List<object> { Count: > 0 } node when node[0] is "float" or "int" or "bool" => false,
        // A per-tensor reduction (KernelMath.Norm, SumOfSquares) of a varying value is one uniform value.
        List<object> { Count: > 1 } node when node[0] is "call" && node[1] is "norm" or "sumsq" => false,
        List<object> { Count: > 0 } node when node[0] is "call" => node.Skip(2).Any(e => IsVarying(e, varying)),
        List<object> node => node.Skip(1).Any(e => IsVarying(e, varying)),
        _ => false,
    };

    private static IEnumerable<List<object>> Nodes(IEnumerable<object> expressions)
    {
        foreach (List<object> node in expressions.OfType<List<object>>())
        {
            yield return node;
            foreach (List<object> inner in Nodes(node.Skip(1)))
            {
                yield return inner;
            }
        }
    }

    // An S-expression as nested lists of atoms.
    private static object Read(string text)
    {
        var stack = new Stack<List<object>>();
        stack.Push(new List<object>());
        foreach (Match token in Regex.Matches(text, @"\(|\)|[^\s()]+"))
        {
            switch (token.Value)
            {
                case "(":
                    var list = new List<object>();
                    stack.Peek().Add(list);
                    stack.Push(list);
                    break;
                case ")":
                    stack.Pop();
                    break;
                default:
                    stack.Peek().Add(token.Value);
                    break;
            }
        }

        return stack.Single().Single();
    }
}
