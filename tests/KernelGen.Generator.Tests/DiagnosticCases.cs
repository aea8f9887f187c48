using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Generator.Tests;

/// <summary>
/// One minimal source per way of getting each KernelGen diagnostic. <c>[|...|]</c> marks the exact
/// token or node every diagnostic of the case must point at (see <see cref="Markup"/>). Each
/// source is otherwise valid C#: the KG diagnostic is the only error its author would see.
/// </summary>
internal static class DiagnosticCases
{
    /// <summary>(id, short name) → marked source, in id order.</summary>
    public static readonly IReadOnlyList<(string Id, string Name, string Markup)> All = new (string, string, string)[]
    {
        ("KG0001", "not static", Class("""
            [UpdateRule]
            private void [|Update|](ref float param, float grad) { param -= grad; }
            """)),
        ("KG0001", "returns a value", Class("""
            [UpdateRule]
            private static float [|Update|](ref float param, float grad) { param -= grad; return param; }
            """)),
        ("KG0001", "generic", Class("""
            [UpdateRule]
            private static void [|Update|]<T>(ref float param, float grad) { param -= grad; }
            """)),

        ("KG0002", "not partial", """
            using KernelGen;

            [Optimizer]
            internal sealed class [|Plain|]
            {
                [UpdateRule]
                private static void Update(ref float param, float grad) { param -= grad; }
            }
            """),
        ("KG0002", "nested", """
            using KernelGen;

            internal static partial class Outer
            {
                [Optimizer]
                internal sealed partial class [|Inner|]
                {
                    [UpdateRule]
                    private static void Update(ref float param, float grad) { param -= grad; }
                }
            }
            """),
        ("KG0002", "generic", """
            using KernelGen;

            [Optimizer]
            internal sealed partial class [|Generic|]<T>
            {
                [UpdateRule]
                private static void Update(ref float param, float grad) { param -= grad; }
            }
            """),
        ("KG0002", "base class", """
            using KernelGen;

            internal class Base
            {
            }

            [Optimizer]
            internal partial class [|Derived|] : Base
            {
                [UpdateRule]
                private static void Update(ref float param, float grad) { param -= grad; }
            }
            """),
        ("KG0002", "no [Optimizer]", """
            using KernelGen;

            internal sealed partial class [|Unmarked|]
            {
                [UpdateRule]
                private static void Update(ref float param, float grad) { param -= grad; }
            }
            """),
        ("KG0002", "struct", """
            using KernelGen;

            internal partial struct [|Value|]
            {
                [UpdateRule]
                private static void Update(ref float param, float grad) { param -= grad; }
            }
            """),

        ("KG0003", "for", Body("""
            [|for|] (int i = 0; i < 2; i++) { param -= grad; }
            """)),
        ("KG0003", "while", Body("""
            [|while|] (param > 1f) { param = param * 0.5f; }
            """)),
        ("KG0003", "do", Body("""
            [|do|] { param = param * 0.5f; } while (param > 1f);
            """)),
        ("KG0003", "foreach", Body("""
            [|foreach|] (float x in new[] { 1f, 2f }) { param -= x * grad; }
            """)),

        ("KG0004", "MathF.Sinh", Body("""
            param -= [|MathF.Sinh|](grad);
            """)),

        ("KG0005", "assigned", Body("""
            [|grad|] = grad * 2f;
            param -= grad;
            """)),
        ("KG0005", "compound", Body("""
            [|grad|] *= 2f;
            param -= grad;
            """)),

        ("KG0006", "Exp of the gradient", Body("""
            param -= [|MathF.Exp(grad)|];
            """)),
        ("KG0006", "Pow of a varying local", Body("""
            float g = grad * learningRate;
            param -= [|MathF.Pow(g, 2f)|];
            """)),
        ("KG0006", "Tanh of the gradient", Body("""
            param -= learningRate * [|MathF.Tanh(grad)|];
            """)),
        ("KG0006", "Log under uniform math", Body("""
            param -= learningRate * [|MathF.Log(MathF.Abs(param) + 1f)|];
            """)),

        ("KG0007", "[Step] float", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, [Step] float [|step|]) { param -= grad / step; }
            """)),
        ("KG0007", "in float", Class("""
            [UpdateRule]
            private static void Update(ref float param, in float [|grad|]) { param -= grad; }
            """)),
        ("KG0007", "[TensorState] by value", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, [TensorState] float [|scale|]) { param -= scale * grad; }
            """)),
        ("KG0007", "ref int", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, ref int [|count|]) { param -= grad; count = 1; }
            """)),

        ("KG0008", "no parameter", Class("""
            [UpdateRule]
            private static void [|Update|](float grad) { }
            """)),
        ("KG0008", "no gradient", Class("""
            [UpdateRule]
            private static void [|Update|](ref float param, float learningRate) { param -= learningRate; }
            """)),

        ("KG0009", "two gradients", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, float [|other|]) { param -= grad + other; }
            """)),
        ("KG0009", "two steps", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, [Step] int step, [Step] int [|again|]) { param -= grad * step * again; }
            """)),

        ("KG0010", "int with no hyper-parameter", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, int [|count|]) { param -= grad * count; }
            """)),
        ("KG0010", "type differs from the property", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, bool [|learningRate|]) { param -= learningRate ? grad : 0f; }
            """)),

        ("KG0011", "return", Body("""
            param -= grad;
            [|return;|]
            """)),
        ("KG0011", "increment", Body("""
            [|param++;|]
            """)),
        ("KG0011", "switch", Body("""
            [|switch (amsgrad)
            {
                case true:
                    param -= grad;
                    break;
            }|]
            """)),
        ("KG0011", "throw", Body("""
            param -= grad;
            [|throw new InvalidOperationException();|]
            """)),
        ("KG0011", "remainder operator", Body("""
            param = param [|%|] grad;
            """)),
        ("KG0011", "expression body", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad) [|=> param -= grad|];
            """)),
        ("KG0011", "a field", Class("""
            private const float Half = 0.5f;
            private static float s_scale = 2f;

            [UpdateRule]
            private static void Update(ref float param, float grad) { param -= Half * [|s_scale|] * grad; }
            """)),

        ("KG0012", "double local", Body("""
            double [|wide|] = grad;
            param -= grad;
            """)),
        ("KG0012", "double hyper-parameter", Class("""
            [Hyperparameter] public double [|Scale|] { get; set; }

            [UpdateRule]
            private static void Update(ref float param, float grad) { param -= grad; }
            """)),
        ("KG0012", "long parameter", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, long [|count|]) { param -= grad * count; }
            """)),
        ("KG0012", "lambda", Body("""
            Func<float, float> [|twice|] = x => x * 2f;
            param -= grad;
            """)),
        ("KG0012", "string local", Body("""
            string [|text|] = "grad";
            param -= grad;
            """)),

        ("KG0013", "hyper-parameter", Body("""
            [|learningRate|] = 0.5f;
            param -= learningRate * grad;
            """)),
        ("KG0013", "step", Body("""
            [|step|] = step + 1;
            param -= grad / step;
            """)),

        ("KG0014", "assigned a varying value", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, [TensorState] ref float total) { [|total = total + grad|]; param -= grad; }
            """)),
        ("KG0014", "assigned under a varying condition", Class("""
            [UpdateRule]
            private static void Update(ref float param, float grad, [TensorState] ref float seen)
            {
                if (grad > 0f)
                {
                    [|seen = 1f|];
                }

                param -= grad;
            }
            """)),

        ("KG0016", "reduction under a condition", Body("""
            if (amsgrad)
            {
                param -= learningRate * grad / [|KernelMath.Norm(grad)|];
            }
            """)),
        ("KG0016", "operand computed from a reduction", Body("""
            float norm = KernelMath.Norm(grad);
            float scaled = grad / norm;
            param -= [|KernelMath.Norm(scaled)|] * learningRate;
            """)),
        ("KG0016", "uniform operand", Body("""
            param -= [|KernelMath.SumOfSquares(learningRate)|] * grad;
            """)),
        ("KG0016", "in a helper", Class("""
            private static float Total(float x) => [|KernelMath.SumOfSquares(x)|];

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate) { param -= Total(learningRate) * grad; }
            """)),
        ("KG0017", "the gradient", Class("""
            private static float Twice(float x) => x * 2f;

            [UpdateRule]
            private static void Update(ref float param, float grad) { param -= Twice([|grad|]); }
            """)),
        ("KG0017", "a varying local", Class("""
            private static float Scaled(float x, float by) => x * by;

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate)
            {
                float g = grad * 2f;
                param -= Scaled(learningRate, [|g|]);
            }
            """)),
        ("KG0018", "recursion", Class("""
            private static float Power(float x, int n) => n <= 0 ? 1f : x * [|Power|](x, n - 1);

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate) { param -= Power(learningRate, 2) * grad; }
            """)),
        ("KG0018", "no body in this compilation", Body("""
            int bits = [|BitConverter.SingleToInt32Bits|](learningRate);
            param -= learningRate * grad * bits;
            """)),
        ("KG0018", "early return", Class("""
            private static float Clamped(float x)
            {
                if (x > 1f)
                {
                    [|return|] 1f;
                }

                return x;
            }

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate) { param -= Clamped(learningRate) * grad; }
            """)),
        ("KG0003", "a loop in a helper", Class("""
            private static float Sum(float x)
            {
                float total = 0f;
                [|for|] (int i = 0; i < 3; i++) { total += x; }
                return total;
            }

            [UpdateRule]
            private static void Update(ref float param, float grad, float learningRate) { param -= Sum(learningRate) * grad; }
            """)),
        ("KG0015", "no update rule", """
            using KernelGen;

            [Optimizer]
            internal sealed partial class [|Empty|]
            {
            }
            """),
        ("KG0015", "two update rules", Class("""
            [UpdateRule]
            private static void [|First|](ref float param, float grad) { param -= grad; }

            [UpdateRule]
            private static void [|Second|](ref float param, float grad) { param += grad; }
            """)),
        ("KG0019", "kernel returns a value", Kernels("""
            [Kernel]
            internal static float [|Scale|](ref float x, [Uniform] float factor) { x *= factor; return x; }
            """)),
        ("KG0019", "generic kernel", Kernels("""
            [Kernel]
            internal static void [|Scale|]<T>(ref float x, [Uniform] float factor) { x *= factor; }
            """)),
        ("KG0020", "kernel in a class that is not static", """
            using KernelGen;

            internal sealed partial class [|Instance|]
            {
                [Kernel]
                internal static void Scale(ref float x, [Uniform] float factor) { x *= factor; }
            }
            """),
        ("KG0020", "kernel in a class that is not partial", """
            using KernelGen;

            internal static class [|Whole|]
            {
                [Kernel]
                internal static void Scale(ref float x, [Uniform] float factor) { x *= factor; }
            }
            """),
        ("KG0021", "kernel with no span written", Kernels("""
            [Kernel]
            internal static void [|Sum|](float x, float y)
            {
                float sum = x + y;
            }
            """)),
        ("KG0022", "step in a kernel", Kernels("""
            [Kernel]
            internal static void Decay(ref float x, [Uniform] float factor, [Step] int [|step|]) { x *= factor / step; }
            """)),
        ("KG0022", "tensor state in a kernel", Kernels("""
            [Kernel]
            internal static void Accumulate(ref float x, [TensorState] ref float [|total|]) { x += total; }
            """)),
    };

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Id, c.Name });

    public static string MarkupOf(string id, string name) => All.Single(c => c.Id == id && c.Name == name).Markup;

    /// <summary>An optimizer class around <paramref name="members"/>, with two hyper-parameters.</summary>
    public static string Class(string members) => $$"""
        using System;
        using KernelGen;

        namespace Rules;

        [Optimizer]
        internal sealed partial class Sample
        {
            [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
            [Hyperparameter] public bool Amsgrad { get; set; }

        {{members}}
        }
        """;

    /// <summary>A static class of kernels around <paramref name="members"/>.</summary>
    public static string Kernels(string members) => $$"""
        using System;
        using KernelGen;

        namespace Rules;

        internal static partial class Elementwise
        {
        {{members}}
        }
        """;

    /// <summary>A rule with every kind of parameter around the statements <paramref name="body"/>.</summary>
    public static string Body(string body) => Class($$"""
        [UpdateRule]
        private static void Update(ref float param, float grad, ref float state, float learningRate, bool amsgrad, [Step] int step)
        {
        {{body}}
        }
        """);
}
