using System;
using System.Collections.Generic;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// Limited-memory BFGS, as <c>torch.optim.LBFGS</c> (PyTorch 1.13): every registered tensor is
/// one flat vector; each <see cref="Step"/> runs up to <see cref="MaxIterations"/> iterations,
/// each a two-loop recursion over the last <see cref="HistorySize"/> curvature pairs, then a
/// fixed step of <see cref="LearningRate"/> or torch's strong-Wolfe line search, calling the
/// closure to evaluate the loss and the gradients as often as the algorithm needs.
/// </summary>
/// <remarks>
/// <para>Not an <see cref="Optimizer"/>: those apply an element-wise rule once per step, while
/// LBFGS needs dot products over all tensors at once and evaluates the loss several times per
/// step. The vector work (dot products in <see cref="Internal.Reduction"/>'s fixed order,
/// updates as an unfused multiply and add) gives the same bits on every <see cref="Path"/>.</para>
/// <para>Memory: <c>2 * HistorySize + 5</c> floats per element, plus 4 more with the line
/// search, allocated by the first step; later steps allocate nothing.</para>
/// </remarks>
public sealed partial class LBFGS
{
    private readonly List<(Memory<float> Parameter, Memory<float> Gradient)> _tensors = new();

    private double _learningRate = 1;
    private int _maxIterations = 20;
    private int? _maxEvaluations;
    private double _toleranceGrad = 1e-7;
    private double _toleranceChange = 1e-9;
    private int _historySize = 100;
    private LineSearchFunction _lineSearch;

    private int _length;

    // Allocated by the first step: the direction, the previous gradient, the flat gradient (one of
    // _gradients: the line search keeps several), the curvature pairs and the scratch pair.
    private float[] _direction = Array.Empty<float>();
    private float[] _previousGradient = Array.Empty<float>();
    private float[][] _gradients = Array.Empty<float[]>();
    private float[] _gradient = Array.Empty<float>();
    private float[] _initialParameters = Array.Empty<float>();
    private float[][] _differences = Array.Empty<float[]>();   // torch old_dirs: y = g - g_prev
    private float[][] _steps = Array.Empty<float[]>();         // torch old_stps: s = t * d
    private float[] _rho = Array.Empty<float>();               // torch ro: 1 / (y . s)
    private float[] _alpha = Array.Empty<float>();             // torch al
    private float[] _scratchDifference = Array.Empty<float>();
    private float[] _scratchStep = Array.Empty<float>();

    // The history is a ring: logical entry i (0 = oldest) is at (_historyStart + i) % HistorySize.
    private int _historyStart;
    private int _historyCount;
    private double _stepSize;     // torch t
    private float _hessianDiagonal = 1f; // torch H_diag
    private double _previousLoss;

    /// <summary>The learning rate: the step length of a fixed step, the first trial of the line search (torch <c>lr</c>, default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Check(value, "lr", "The learning rate must be finite and at least 0.");
    }

    /// <summary>The most iterations per <see cref="Step"/> (torch <c>max_iter</c>, default 20).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxIterations
    {
        get => _maxIterations;
        set => _maxIterations = CheckCount(value, "max_iter");
    }

    /// <summary>
    /// The most closure calls per <see cref="Step"/>, checked after each iteration (torch
    /// <c>max_eval</c>); <see langword="null"/> (the default) means <c>MaxIterations * 5 / 4</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int? MaxEvaluations
    {
        get => _maxEvaluations;
        set => _maxEvaluations = value is null ? null : CheckCount(value.Value, "max_eval");
    }

    /// <summary>The step stops when the largest gradient magnitude is at most this (torch <c>tolerance_grad</c>, default 1e-7).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double ToleranceGrad
    {
        get => _toleranceGrad;
        set => _toleranceGrad = Check(value, "tolerance_grad", "The gradient tolerance must be finite and at least 0.");
    }

    /// <summary>The step stops when the loss, the parameters or the directional derivative change less than this (torch <c>tolerance_change</c>, default 1e-9).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double ToleranceChange
    {
        get => _toleranceChange;
        set => _toleranceChange = Check(value, "tolerance_change", "The change tolerance must be finite and at least 0.");
    }

    /// <summary>How many curvature pairs are kept (torch <c>history_size</c>, default 100). Fixed once the first step has allocated them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    /// <exception cref="InvalidOperationException">Changed after the first step.</exception>
    public int HistorySize
    {
        get => _historySize;
        set
        {
            CheckCount(value, "history_size");
            if (value != _historySize && IsAllocated)
            {
                throw new InvalidOperationException("The history size cannot change once a step has allocated the history.");
            }

            _historySize = value;
        }
    }

    /// <summary>The line search (torch <c>line_search_fn</c>: <c>None</c> or <c>"strong_wolfe"</c>; default none).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public LineSearchFunction LineSearch
    {
        get => _lineSearch;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown line search.");
            }

            _lineSearch = value;
        }
    }

    /// <summary>The path the vector work runs on; <see cref="KernelPath.Auto"/> picks the widest. Every path gives the same bits.</summary>
    public KernelPath Path { get; set; } = KernelPath.Auto;

    /// <summary>Closure calls over all steps so far (torch <c>state["func_evals"]</c>).</summary>
    public long FunctionEvaluations { get; private set; }

    /// <summary>Iterations over all steps so far (torch <c>state["n_iter"]</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>The number of curvature pairs held now, at most <see cref="HistorySize"/>.</summary>
    public int HistoryCount => _historyCount;

    /// <summary>The number of elements of all registered tensors: the length of the flat vector.</summary>
    public int Length => _length;

    private bool IsAllocated => _direction.Length != 0;

    /// <summary>
    /// Registers a parameter tensor and the gradient buffer the closure fills. The tensors form
    /// one flat vector in registration order. Register every tensor before the first step.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, the two overlap, or the tensor is empty.</exception>
    /// <exception cref="InvalidOperationException">A step has already run.</exception>
    public void Add(Memory<float> parameter, Memory<float> gradient)
    {
        if (IsAllocated)
        {
            throw new InvalidOperationException("LBFGS treats its tensors as one vector: register every tensor before the first step.");
        }

        Guard.SameLength(parameter.Length, gradient.Length, nameof(gradient));

        if (parameter.Length == 0)
        {
            throw new ArgumentException("The parameter is empty.", nameof(parameter));
        }

        Internal.Guard.Disjoint(parameter.Span, gradient.Span, nameof(parameter), nameof(gradient));
        _length = checked(_length + parameter.Length);
        _tensors.Add((parameter, gradient));
    }

    /// <summary>
    /// Runs one torch <c>step(closure)</c>: up to <see cref="MaxIterations"/> iterations and
    /// <see cref="MaxEvaluations"/> closure calls, stopping early on torch's tolerances.
    /// </summary>
    /// <param name="closure">Zeroes and recomputes the gradients of the registered tensors at their current values, and returns the loss.</param>
    /// <returns>The loss of the first evaluation, at the parameters the step started from.</returns>
    /// <exception cref="InvalidOperationException">No tensor is registered.</exception>
    public float Step(Func<float> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        if (_tensors.Count == 0)
        {
            throw new InvalidOperationException("Register at least one tensor before stepping.");
        }

        KernelPath path = KernelDispatch.Resolve(Path);
        Allocate();
        float toleranceGrad = (float)_toleranceGrad; // torch compares float32 tensors with the tolerances as float32
        float toleranceChange = (float)_toleranceChange;
        int maxEvaluations = _maxEvaluations ?? _maxIterations * 5 / 4;

        float originalLoss = closure();
        double loss = originalLoss;
        int currentEvaluations = 1;
        FunctionEvaluations++;
        _gradient = _gradients[0];
        GatherGradient(_gradient);
        if (FlatVector.MaxAbs(_gradient) <= toleranceGrad)
        {
            return originalLoss;
        }

        int iteration = 0;
        while (iteration < _maxIterations)
        {
            iteration++;
            Iterations++;
            if (Iterations == 1)
            {
                FlatVector.Scale(_direction, _gradient, -1f, path);
                _historyCount = 0;
                _historyStart = 0;
                _hessianDiagonal = 1f;
            }
            else
            {
                UpdateHistory(path);
                ComputeDirection(path);
            }

            _gradient.AsSpan().CopyTo(_previousGradient);
            _previousLoss = loss;

            // torch: min(1, 1 / |g|_1) * lr on the very first iteration (float32 when 1 / |g|_1 wins), then lr.
            if (Iterations == 1)
            {
                float inverse = 1f / FlatVector.SumAbs(_gradient, path);
                _stepSize = inverse < 1f ? inverse * (float)_learningRate : _learningRate;
            }
            else
            {
                _stepSize = _learningRate;
            }

            float directional = FlatVector.Dot(_gradient, _direction, path);
            if (directional > -toleranceChange)
            {
                break;
            }

            int lineSearchEvaluations = 0;
            bool optimal = false;
            if (_lineSearch == LineSearchFunction.StrongWolfe)
            {
                CopyParameters(toFlat: _initialParameters);
                (loss, _gradient, _stepSize, lineSearchEvaluations) = StrongWolfe(closure, _stepSize, loss, directional, path);
                AddToParameters(_stepSize, path);
                optimal = FlatVector.MaxAbs(_gradient) <= toleranceGrad;
            }
            else
            {
                AddToParameters(_stepSize, path);
                if (iteration != _maxIterations)
                {
                    // torch evaluates again only when another iteration follows.
                    loss = closure();
                    GatherGradient(_gradient);
                    optimal = FlatVector.MaxAbs(_gradient) <= toleranceGrad;
                    lineSearchEvaluations = 1;
                }
            }

            currentEvaluations += lineSearchEvaluations;
            FunctionEvaluations += lineSearchEvaluations;

            // torch's order of checks.
            if (iteration == _maxIterations || currentEvaluations >= maxEvaluations || optimal)
            {
                break;
            }

            // max |d * t|: rounding is monotonic, so the largest |d| times t rounds to it.
            if (MathF.Abs(FlatVector.MaxAbs(_direction) * (float)_stepSize) <= toleranceChange)
            {
                break;
            }

            if (Math.Abs(loss - _previousLoss) < _toleranceChange)
            {
                break;
            }
        }

        return originalLoss;
    }

    /// <summary>Sets a hyper-parameter by torch's name (<c>lr</c>, <c>max_iter</c>, <c>max_eval</c>, <c>tolerance_grad</c>, <c>tolerance_change</c>, <c>history_size</c>).</summary>
    /// <returns><see langword="false"/> for an unknown name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is out of range, or not a whole number for a count.</exception>
    public bool TrySetHyperparameter(string name, double value)
    {
        switch (name)
        {
            case "lr": LearningRate = value; return true;
            case "max_iter": MaxIterations = Guard.ToInt(value, name); return true;
            case "max_eval": MaxEvaluations = Guard.ToInt(value, name); return true;
            case "tolerance_grad": ToleranceGrad = value; return true;
            case "tolerance_change": ToleranceChange = value; return true;
            case "history_size": HistorySize = Guard.ToInt(value, name); return true;
            default: return false;
        }
    }

    /// <summary>Sets <c>line_search_fn</c> as torch spells it: <see langword="null"/> for none, or <c>"strong_wolfe"</c>.</summary>
    /// <returns><see langword="false"/> for a name other than <c>line_search_fn</c>.</returns>
    /// <exception cref="ArgumentException">Another line search (torch: "only 'strong_wolfe' is supported").</exception>
    public bool TrySetHyperparameter(string name, string? value)
    {
        if (name != "line_search_fn")
        {
            return false;
        }

        LineSearch = value switch
        {
            null => LineSearchFunction.None,
            "strong_wolfe" => LineSearchFunction.StrongWolfe,
            _ => throw new ArgumentException($"Unknown line search '{value}': only 'strong_wolfe' (or none) is supported.", nameof(value)),
        };
        return true;
    }

    private void Allocate()
    {
        bool lineSearch = _lineSearch == LineSearchFunction.StrongWolfe;
        if (!IsAllocated)
        {
            _direction = new float[_length];
            _previousGradient = new float[_length];
            _differences = NewVectors(_historySize);
            _steps = NewVectors(_historySize);
            _rho = new float[_historySize];
            _alpha = new float[_historySize];
            _scratchDifference = new float[_length];
            _scratchStep = new float[_length];
            _gradients = new[] { new float[_length] };
        }

        // The line search keeps up to four gradients at once and the parameters it started from;
        // allocated the first time it runs.
        if (lineSearch && _gradients.Length == 1)
        {
            _gradients = new[] { _gradients[0], new float[_length], new float[_length], new float[_length] };
            _initialParameters = new float[_length];
        }
    }

    /// <summary>Drops every buffer; the next step allocates them again.</summary>
    private void Release()
    {
        _direction = _previousGradient = _gradient = _initialParameters = _rho = _alpha = Array.Empty<float>();
        _scratchDifference = _scratchStep = Array.Empty<float>();
        _gradients = _differences = _steps = Array.Empty<float[]>();
    }

    private float[][] NewVectors(int count)
    {
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = new float[_length];
        }

        return vectors;
    }

    /// <summary>torch: y = g - g_prev, s = t * d; kept when y . s > 1e-10, dropping the oldest pair when full.</summary>
    private void UpdateHistory(KernelPath path)
    {
        FlatVector.Subtract(_scratchDifference, _gradient, _previousGradient, path);
        FlatVector.Scale(_scratchStep, _direction, (float)_stepSize, path);
        float ys = FlatVector.Dot(_scratchDifference, _scratchStep, path);
        if (!(ys > 1e-10f))
        {
            return;
        }

        int slot;
        if (_historyCount == _historySize)
        {
            slot = _historyStart;
            _historyStart = (_historyStart + 1) % _historySize;
        }
        else
        {
            slot = (_historyStart + _historyCount) % _historySize;
            _historyCount++;
        }

        // The scratch pair becomes the newest entry and the dropped entry's memory the next scratch.
        (_differences[slot], _scratchDifference) = (_scratchDifference, _differences[slot]);
        (_steps[slot], _scratchStep) = (_scratchStep, _steps[slot]);
        _rho[slot] = 1f / ys;
        _hessianDiagonal = ys / FlatVector.Dot(_differences[slot], _differences[slot], path);
    }

    /// <summary>torch's two-loop recursion, in place in the direction: d = -H g.</summary>
    private void ComputeDirection(KernelPath path)
    {
        float[] q = _direction;
        FlatVector.Scale(q, _gradient, -1f, path);
        for (int i = _historyCount - 1; i >= 0; i--)
        {
            int slot = Slot(i);
            _alpha[slot] = FlatVector.Dot(_steps[slot], q, path) * _rho[slot];
            FlatVector.AddScaled(q, q, _differences[slot], -_alpha[slot], path);
        }

        FlatVector.Scale(q, q, _hessianDiagonal, path);
        for (int i = 0; i < _historyCount; i++)
        {
            int slot = Slot(i);
            float beta = FlatVector.Dot(_differences[slot], q, path) * _rho[slot];
            FlatVector.AddScaled(q, q, _steps[slot], _alpha[slot] - beta, path);
        }
    }

    private int Slot(int logical) => (_historyStart + logical) % _historySize;

    private void GatherGradient(float[] destination)
    {
        int offset = 0;
        foreach ((Memory<float> _, Memory<float> gradient) in _tensors)
        {
            gradient.Span.CopyTo(destination.AsSpan(offset));
            offset += gradient.Length;
        }
    }

    /// <summary>torch <c>_add_grad(t, d)</c>: p += t * d, with t rounded to float as torch's float32 kernels do.</summary>
    private void AddToParameters(double stepSize, KernelPath path)
    {
        int offset = 0;
        foreach ((Memory<float> parameter, Memory<float> _) in _tensors)
        {
            Span<float> p = parameter.Span;
            FlatVector.AddScaled(p, p, _direction.AsSpan(offset, p.Length), (float)stepSize, path);
            offset += p.Length;
        }
    }

    private void CopyParameters(float[] toFlat)
    {
        int offset = 0;
        foreach ((Memory<float> parameter, Memory<float> _) in _tensors)
        {
            parameter.Span.CopyTo(toFlat.AsSpan(offset));
            offset += parameter.Length;
        }
    }

    private void RestoreParameters(float[] fromFlat)
    {
        int offset = 0;
        foreach ((Memory<float> parameter, Memory<float> _) in _tensors)
        {
            fromFlat.AsSpan(offset, parameter.Length).CopyTo(parameter.Span);
            offset += parameter.Length;
        }
    }

    private static double Check(double value, string name, string message)
        => value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, message);

    private static int CheckCount(int value, string name)
        => value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
}
