// A consumer's own optimizer, compiled from the packed KernelGen in a fresh console app by
// eng/check-package.sh (not part of any project here). Its rule has a uniform `if` (the generator
// unswitches it), a varying `?:` (a lane-wise select) and MathF.Max/Min of varying values: .NET 8's
// vector Max/Min disagree with MathF's on NaN and signed zeros (they return the second operand),
// and the first elements pair every special value with every other, in both operands. Every
// accelerated path must give the bits of the rule called element by element; prints True if so.
using System;
using System.Runtime.InteropServices;
using KernelGen;
using KernelGen.Verification;

Console.WriteLine(RuntimeInformation.FrameworkDescription);
Console.WriteLine($"best path {KernelDispatch.Best}");

float[] specials = { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, -1e-40f, 3f, -2.5f, 0.75f };
const int Length = 1037; // not a multiple of 16: every path also runs its tail
var gradients = new float[Length];
var start = new float[Length];
int pairs = specials.Length * specials.Length;
for (int i = 0; i < Length; i++)
{
    start[i] = i < pairs ? specials[i % specials.Length] : MathF.Cos(i * 0.11f);
    gradients[i] = i < pairs ? specials[i / specials.Length] : MathF.Sin(i * 0.37f);
}

bool allSame = true;
foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
{
    if (!KernelDispatch.IsSupported(path))
    {
        continue;
    }

    foreach (bool halved in new[] { false, true })
    {
        float[] fused = (float[])start.Clone();
        float[] byRule = (float[])start.Clone();
        var optimizer = new PeakClamp { Halved = halved, Path = path };
        var reference = new PeakClamp { Halved = halved };
        optimizer.Add(fused, gradients);
        reference.Add(byRule, gradients);
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step();
            reference.StepWithRule();
        }

        bool same = SameBits(fused, byRule);
        Console.WriteLine($"{path}, halved {halved}: {(same ? "the rule's bits" : "DIFFERENT bits")}");
        allSame &= same;
    }
}

Console.WriteLine(allSame);

// Bit for bit, except that any NaN equals any NaN (the determinism contract leaves the payload open).
static bool SameBits(float[] a, float[] b)
{
    for (int i = 0; i < a.Length; i++)
    {
        bool bothNaN = float.IsNaN(a[i]) && float.IsNaN(b[i]);
        if (!bothNaN && BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
        {
            return false;
        }
    }

    return true;
}

[Optimizer]
public sealed partial class PeakClamp
{
    [Hyperparameter] public float LearningRate { get; set; } = 0.1f;
    [Hyperparameter] public float Leak { get; set; } = 0.25f;
    [Hyperparameter] public bool Halved { get; set; }

    [UpdateRule]
    static void Update(ref float param, float grad, ref float peak, float learningRate, float leak, bool halved)
    {
        float g = grad > 0f ? grad : leak * grad;   // varying: a select per lane (-0 stays -0)
        if (halved)                                 // uniform: a loop without the branch per value
        {
            g *= 0.5f;
        }

        peak = MathF.Max(peak, g);                  // +0 above -0, NaN wins: MathF's rules on every path
        param = MathF.Min(MathF.Max(param, g), peak + learningRate);
    }
}
