using System;

namespace KernelGen;

/// <summary>
/// torch's <c>lerp_</c> as a kernel: start = start + w(end − start) when |w| &lt; ½, else
/// end − (end − start)(1 − w), the form torch picks for accuracy. The schedule-free optimizers
/// move their parameters between y and x with it (start: the parameters, end: z).
/// </summary>
internal static partial class LinearInterpolation
{
    [Kernel]
    internal static void Lerp(ref float start, float end, [Uniform] float weight)
    {
        if (MathF.Abs(weight) < 0.5f)
        {
            start += weight * (end - start);
        }
        else
        {
            start = end - (end - start) * (1f - weight);
        }
    }
}
