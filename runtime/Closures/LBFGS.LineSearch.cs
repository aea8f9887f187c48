using System;

namespace KernelGen;

/// <summary>torch's <c>_strong_wolfe</c> and <c>_cubic_interpolate</c> (ported there from minFunc), on the flat vectors.</summary>
public sealed partial class LBFGS
{
    // torch's defaults: _strong_wolfe is called without them, so the step's tolerance_change does not reach it.
    private const double SufficientDecrease = 1e-4; // c1
    private const float Curvature = 0.9f;           // c2
    private const float LineSearchTolerance = 1e-9f;
    private const int MaxLineSearchIterations = 25;

    // The bracket: two points, their losses, gradients and directional derivatives (allocated once).
    private readonly double[] _bracket = new double[2];
    private readonly double[] _bracketLoss = new double[2];
    private readonly float[]?[] _bracketGradient = new float[2][];
    private readonly float[] _bracketDirectional = new float[2];

    /// <summary>
    /// Searches along the direction from the parameters saved in <see cref="_initialParameters"/>,
    /// which it leaves in place; returns the accepted loss, its gradient (one of
    /// <see cref="_gradients"/>), the step length and the closure calls made.
    /// </summary>
    private (double Loss, float[] Gradient, double StepSize, int Evaluations) StrongWolfe(
        Func<float> closure, double t, double loss, float directional, KernelPath path)
    {
        float directionNorm = FlatVector.MaxAbs(_direction);
        float[] gradient = _gradient;

        // torch: f + c1 * t * gtd and -c2 * gtd are float32 tensors; so are the comparisons with them.
        float curvatureBound = -Curvature * directional;

        float[] newGradient = FreeGradient(gradient, gradient);
        double newLoss = Evaluate(closure, t, newGradient, path);
        int evaluations = 1;
        float newDirectional = FlatVector.Dot(newGradient, _direction, path);

        double previousT = 0;
        double previousLoss = loss;
        float[] previousGradient = gradient;
        float previousDirectional = directional;
        bool done = false;
        int iteration = 0;
        int bracketLength = 0;
        while (iteration < MaxLineSearchIterations)
        {
            if ((float)newLoss > Armijo(loss, t, directional) || (iteration > 1 && newLoss >= previousLoss))
            {
                SetBracket(previousT, previousLoss, previousGradient, previousDirectional, t, newLoss, newGradient, newDirectional);
                bracketLength = 2;
                break;
            }

            if (MathF.Abs(newDirectional) <= curvatureBound)
            {
                SetPoint(0, t, newLoss, newGradient, newDirectional);
                bracketLength = 1;
                done = true;
                break;
            }

            if (newDirectional >= 0)
            {
                SetBracket(previousT, previousLoss, previousGradient, previousDirectional, t, newLoss, newGradient, newDirectional);
                bracketLength = 2;
                break;
            }

            // Extrapolate: the cubic's minimum, kept within [t + 0.01 (t - t_prev), 10 t].
            double minStep = t + 0.01 * (t - previousT);
            double maxStep = t * 10;
            double current = t;
            t = CubicInterpolate(previousT, previousLoss, previousDirectional, t, newLoss, newDirectional, minStep, maxStep);

            previousT = current;
            previousLoss = newLoss;
            previousGradient = newGradient;
            previousDirectional = newDirectional;
            newGradient = FreeGradient(gradient, previousGradient);
            newLoss = Evaluate(closure, t, newGradient, path);
            evaluations++;
            newDirectional = FlatVector.Dot(newGradient, _direction, path);
            iteration++;
        }

        if (iteration == MaxLineSearchIterations)
        {
            SetPoint(0, 0, loss, gradient, _bracketDirectional[0]);
            SetPoint(1, t, newLoss, newGradient, _bracketDirectional[1]);
            bracketLength = 2;
        }

        // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
        bool insufficientProgress = false;
        int low = bracketLength == 1 || _bracketLoss[0] <= _bracketLoss[1] ? 0 : 1;
        int high = 1 - low;
        while (!done && iteration < MaxLineSearchIterations)
        {
            if ((float)Math.Abs(_bracket[1] - _bracket[0]) * directionNorm < LineSearchTolerance)
            {
                break;
            }

            t = CubicInterpolate(_bracket[0], _bracketLoss[0], _bracketDirectional[0], _bracket[1], _bracketLoss[1], _bracketDirectional[1]);

            // Too close to an end of the bracket: move to 0.1 of its width from that end when the
            // last step also made too little progress or t is at or outside an end.
            double top = PythonMax(_bracket[0], _bracket[1]);
            double bottom = PythonMin(_bracket[0], _bracket[1]);
            double eps = 0.1 * (top - bottom);
            if (PythonMin(top - t, t - bottom) < eps)
            {
                if (insufficientProgress || t >= top || t <= bottom)
                {
                    t = Math.Abs(t - top) < Math.Abs(t - bottom) ? top - eps : bottom + eps;
                    insufficientProgress = false;
                }
                else
                {
                    insufficientProgress = true;
                }
            }
            else
            {
                insufficientProgress = false;
            }

            newGradient = FreeGradient(_bracketGradient[0]!, _bracketGradient[1]!);
            newLoss = Evaluate(closure, t, newGradient, path);
            evaluations++;
            newDirectional = FlatVector.Dot(newGradient, _direction, path);
            iteration++;

            if ((float)newLoss > Armijo(loss, t, directional) || newLoss >= _bracketLoss[low])
            {
                // Not a sufficient decrease, or not below the low end: the new point is the high end.
                SetPoint(high, t, newLoss, newGradient, newDirectional);
                low = _bracketLoss[0] <= _bracketLoss[1] ? 0 : 1;
                high = 1 - low;
            }
            else
            {
                if (MathF.Abs(newDirectional) <= curvatureBound)
                {
                    done = true;
                }
                else if (newDirectional * (float)(_bracket[high] - _bracket[low]) >= 0)
                {
                    // The old high end becomes the new low end.
                    SetPoint(high, _bracket[low], _bracketLoss[low], _bracketGradient[low]!, _bracketDirectional[low]);
                }

                SetPoint(low, t, newLoss, newGradient, newDirectional);
            }
        }

        return (_bracketLoss[low], _bracketGradient[low]!, _bracket[low], evaluations);
    }

    /// <summary>torch <c>_directional_evaluate</c>: the loss and gradient at x + t d, leaving the parameters at x.</summary>
    private double Evaluate(Func<float> closure, double t, float[] gradient, KernelPath path)
    {
        AddToParameters(t, path);
        float loss = closure();
        GatherGradient(gradient);
        RestoreParameters(_initialParameters);
        return loss;
    }

    /// <summary>A gradient buffer that holds neither of the two in use.</summary>
    private float[] FreeGradient(float[] first, float[] second)
    {
        foreach (float[] buffer in _gradients)
        {
            if (!ReferenceEquals(buffer, first) && !ReferenceEquals(buffer, second))
            {
                return buffer;
            }
        }

        throw new InvalidOperationException("No free gradient buffer."); // four buffers, at most two in use
    }

    /// <summary>torch's <c>f + c1 * t * gtd</c>: a float32 tensor, as is the comparison with it.</summary>
    private static float Armijo(double loss, double t, float directional) => (float)loss + (float)(SufficientDecrease * t) * directional;

    private void SetBracket(double t0, double loss0, float[] gradient0, float directional0, double t1, double loss1, float[] gradient1, float directional1)
    {
        SetPoint(0, t0, loss0, gradient0, directional0);
        SetPoint(1, t1, loss1, gradient1, directional1);
    }

    private void SetPoint(int index, double t, double loss, float[] gradient, float directional)
    {
        _bracket[index] = t;
        _bracketLoss[index] = loss;
        _bracketGradient[index] = gradient;
        _bracketDirectional[index] = directional;
    }

    /// <summary>
    /// torch <c>_cubic_interpolate</c>: the minimum of the cubic through two points with their
    /// values and derivatives, clamped to the bounds (by default the two points); the middle of
    /// the bounds when the cubic has no minimum.
    /// </summary>
    internal static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double? lowerBound = null, double? upperBound = null)
    {
        double lower = lowerBound ?? (x1 <= x2 ? x1 : x2);
        double upper = upperBound ?? (x1 <= x2 ? x2 : x1);
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minimum = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return PythonMin(PythonMax(minimum, lower), upper);
        }

        return (lower + upper) / 2.0;
    }

    // Python's max and min: the first argument unless the second is strictly larger (smaller), so NaN behaves as torch's does.
    private static double PythonMax(double a, double b) => b > a ? b : a;

    private static double PythonMin(double a, double b) => b < a ? b : a;
}
