using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen.Schedulers;

/// <summary>
/// What torch keeps in a <c>param_group</c> dict next to the tensors: the learning rate as a
/// double, and <c>initial_lr</c> once a scheduler has set it. One instance per optimizer, shared
/// by every scheduler attached to it, so chained and sequential schedulers see each other's
/// values in double exactly as torch's do. The optimizer itself holds the rate as a float; it is
/// written on every change and read back to notice a change made outside the schedulers.
/// </summary>
internal sealed class ParamGroupState
{
    private static readonly ConditionalWeakTable<Optimizer, ParamGroupState> States = new();

    private readonly string _learningRateName;
    private readonly string? _momentumName;
    private readonly string? _beta1Name;
    private double _lr;

    private ParamGroupState(Optimizer optimizer, string learningRateName, string? momentumName, string? beta1Name)
    {
        Optimizer = optimizer;
        _learningRateName = learningRateName;
        _momentumName = momentumName;
        _beta1Name = beta1Name;
        optimizer.TryGetHyperparameter(learningRateName, out double lr);
        _lr = IntendedValue((float)lr);
    }

    /// <summary>The optimizer of this group.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>torch's <c>group['initial_lr']</c>: set by the first scheduler built on the group.</summary>
    public double? InitialLr { get; set; }

    /// <summary>Whether the optimizer has a <c>Momentum</c> (torch <c>momentum</c>) to cycle.</summary>
    public bool HasMomentum => _momentumName is not null;

    /// <summary>Whether the optimizer has a <c>Beta1</c> (torch <c>betas[0]</c>) to cycle.</summary>
    public bool HasBeta1 => _beta1Name is not null;

    /// <summary>
    /// torch's <c>group['lr']</c>. Reading it first checks the optimizer's float: when someone set
    /// the rate there directly (torch code writes <c>group['lr']</c>, which the chainable
    /// schedulers then build on), that value is adopted.
    /// </summary>
    public double Lr
    {
        [MethodImpl(StepMethod.OptimizedFromFirstCall)]
        get
        {
            Optimizer.TryGetHyperparameter(_learningRateName, out double current);
            if ((float)current != (float)_lr && !(double.IsNaN(current) && double.IsNaN(_lr)))
            {
                _lr = IntendedValue((float)current);
            }

            return _lr;
        }

        [MethodImpl(StepMethod.OptimizedFromFirstCall)]
        set
        {
            _lr = value;
            Optimizer.TrySetHyperparameter(_learningRateName, value);
        }
    }

    /// <summary>
    /// The double rate as last set, without reading the optimizer: what a checkpoint saves. A rate
    /// set on the optimizer directly is saved by the optimizer's own hyper-parameters, and the
    /// next <see cref="Lr"/> read adopts it after a load exactly as it would have without one.
    /// </summary>
    public double SavedLr => _lr;

    /// <summary>
    /// Restores checkpointed state. Only the double is set, not the optimizer's float: that is the
    /// optimizer checkpoint's own hyper-parameter, restored in the same load.
    /// </summary>
    public void Restore(double lr, double? initialLr)
    {
        _lr = lr;
        InitialLr = initialLr;
    }

    /// <summary>The group of <paramref name="optimizer"/>, created on first use.</summary>
    /// <exception cref="ArgumentException">The optimizer has no learning rate.</exception>
    public static ParamGroupState Of(Optimizer optimizer, string argument)
    {
        if (States.TryGetValue(optimizer, out ParamGroupState? state))
        {
            return state;
        }

        string learningRate = Find(optimizer, "LearningRate", "lr")
            ?? throw new ArgumentException($"{optimizer.GetType().Name} has no LearningRate hyper-parameter to schedule.", argument);

        state = new ParamGroupState(optimizer, learningRate, Find(optimizer, "Momentum", "momentum"), Find(optimizer, "Beta1", "betas[0]"));
        States.AddOrUpdate(optimizer, state);
        return state;
    }

    /// <summary>Sets the momentum; the caller checked <see cref="HasMomentum"/>.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void SetMomentum(double value) => Optimizer.TrySetHyperparameter(_momentumName!, value);

    /// <summary>Sets <c>betas[0]</c>; the caller checked <see cref="HasBeta1"/>.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void SetBeta1(double value) => Optimizer.TrySetHyperparameter(_beta1Name!, value);

    /// <summary>
    /// The double a float hyper-parameter stands for: its shortest round-trip decimal, so a rate
    /// set as <c>0.1f</c> is scheduled from 0.1 as in torch, not from 0.100000001490116. Within the
    /// float's rounding interval either way; never allocates.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal static double IntendedValue(float value)
    {
        Span<char> text = stackalloc char[32];
        if (float.IsFinite(value)
            && value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture)
            && double.TryParse(text[..length], NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
        {
            return parsed;
        }

        return value;
    }

    private static string? Find(Optimizer optimizer, string property, string alias)
        => optimizer.TryGetHyperparameter(property, out _) ? property
            : optimizer.TryGetHyperparameter(alias, out _) ? alias
            : null;
}
