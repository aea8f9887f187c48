using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Internal;
using KernelGen.Parallel;

namespace KernelGen;

/// <summary>
/// The base of every optimizer. A class marked <see cref="OptimizerAttribute"/> gets this base
/// and its overrides from the generator; users register tensors and call <see cref="Step"/>.
/// </summary>
/// <remarks>Its methods and those of every optimizer are kept by the trimmer: <see cref="Warm"/> compiles them by reflection.</remarks>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)]
public abstract partial class Optimizer
{
    private readonly TensorList _tensors = new();

    private float _gradientScale = 1f;
    private float _gradientMultiplier = 1f;

    // Tensors that StepStoredTensors routes around the plain kernels (8-bit states, 16-bit buffers):
    // with none, a step calls the kernels on the whole span directly.
    private int _stagedTensors;
    private int _maxDegreeOfParallelism = 1;
    private int _parallelThreshold = DefaultParallelThreshold;
    private ParallelStep? _parallelStep;
    private MemoryRanges? _memoryDomain;
    private CallGuard _calls;

    /// <summary>The path kernels run on; <see cref="KernelPath.Auto"/> picks the widest one.</summary>
    public KernelPath Path { get; set; } = KernelPath.Auto;

    /// <summary>
    /// The loss scale the gradients carry (mixed-precision training): the fused step multiplies
    /// each gradient by <c>1 / GradientScale</c> as it loads it, as torch's GradScaler unscales
    /// (<c>grad * inv_scale</c>, with <c>inv_scale</c> rounded to float). 1 means no scaling and costs nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a positive finite number, or so small that its reciprocal is infinite (below about 2.9e-39).</exception>
    public float GradientScale
    {
        get => _gradientScale;
        set
        {
            if (!(value > 0f) || !float.IsFinite(value) || !float.IsFinite(1f / value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The gradient scale must be positive and finite, with a finite reciprocal (the factor the gradients are multiplied by).");
            }

            _gradientScale = value;
            _gradientMultiplier = 1f / value;
        }
    }

    /// <summary>
    /// The most threads one <see cref="Step"/> uses, the calling thread included: 1 (the default)
    /// steps on the calling thread only. Above 1, a step whose tensors hold at least
    /// <see cref="ParallelThreshold"/> elements in all is shared between the calling thread and
    /// helper threads: a tensor of at least that many elements is cut into chunks at multiples of
    /// 16 elements, smaller tensors are handed out whole, in runs of consecutive tensors. Every
    /// element gets the same operations on the same values, so the bits are those of a
    /// single-threaded step. Rules with per-tensor reductions (Lamb, LARS, NovoGrad) stay on the
    /// calling thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>
    /// The fewest elements a step needs, over all its tensors, to use more than one thread, and
    /// the fewest a tensor needs to be cut into chunks (when <see cref="MaxDegreeOfParallelism"/> is
    /// above 1). Below it, handing work to another thread costs more than it saves; the default,
    /// <see cref="DefaultParallelThreshold"/>, comes from the measurements in docs/performance.md.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int ParallelThreshold
    {
        get => _parallelThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _parallelThreshold = value;
        }
    }

    /// <summary>The default <see cref="ParallelThreshold"/>, in elements.</summary>
    public const int DefaultParallelThreshold = 131_072;

    /// <summary>What a step does when a gradient holds an infinity or a NaN.</summary>
    public NonFiniteGradientPolicy NonFiniteGradients { get; set; } = NonFiniteGradientPolicy.Ignore;

    /// <summary>
    /// How many steps <see cref="NonFiniteGradientPolicy.Skip"/> has skipped (a whole <see cref="ParameterGroups"/>
    /// step counts in every group; a per-tensor step that skipped any of its tensors counts once).
    /// </summary>
    public int SkippedSteps { get; private set; }

    /// <summary>
    /// Whether the last call of <see cref="Step"/> was skipped for a non-finite gradient; after a
    /// per-tensor step (<see cref="BeginStep"/>), whether any of its tensors was.
    /// </summary>
    public bool LastStepSkipped { get; private set; }

    /// <summary>The factor the kernels apply to gradients: <c>1 / GradientScale</c> in float.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected internal float GradientMultiplier => _gradientMultiplier;

    /// <summary>The update rule as the reference interpreter reads it.</summary>
    public abstract UpdateRule Rule { get; }

    /// <summary>The registered tensors, in registration order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    /// <summary>
    /// Registers a parameter tensor and the gradient buffer its steps read, and allocates its
    /// state (zeroed, 64-byte aligned). The optimizer keeps both memories and reads them at every step.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The gradient's length differs from the parameter's; the two overlap; or the parameter shares
    /// memory with a parameter, gradient or state of any tensor of this optimizer or of the
    /// <see cref="ParameterGroups"/> it belongs to, or the gradient with a parameter or state
    /// (gradients may share memory with each other: a step only reads them).
    /// </exception>
    /// <exception cref="InvalidOperationException">Another thread is stepping or adding to this optimizer.</exception>
    public ParameterTensor Add(Memory<float> parameter, Memory<float> gradient) =>
        AddTensor(TensorMemory.Of(parameter), TensorMemory.Of(gradient));

    /// <summary>Registers a tensor (see <see cref="Add(Memory{float}, Memory{float})"/>): its states in <see cref="StateStorage"/>.</summary>
    private ParameterTensor AddTensor(TensorMemory parameter, TensorMemory gradient)
    {
        if (gradient.Length != parameter.Length)
        {
            throw new ArgumentException(
                $"The gradient has {gradient.Length} elements but the parameter has {parameter.Length}.", nameof(gradient));
        }

        _calls.Enter(OptimizerCall.Add);
        try
        {
            // Addresses, for the pair: two memory managers over the same native memory are one memory.
            Guard.Disjoint(parameter.Bytes, gradient.Bytes, nameof(parameter), nameof(gradient));
            MemoryDomain.CheckNew(parameter, gradient);
            UpdateRule rule = Rule;
            ParameterTensor tensor = NewTensor(parameter, gradient, rule);
            MemoryDomain.Add(this, tensor);
            _tensors.Add(tensor);
            if (tensor.Quantized is not null || tensor.IsStored)
            {
                _stagedTensors++;
            }

            return tensor;
        }
        finally
        {
            _calls.Exit();
        }
    }

    /// <summary>
    /// The memory of every tensor of this optimizer, and of the other optimizers of the
    /// <see cref="ParameterGroups"/> it belongs to, that a new tensor may not overlap.
    /// </summary>
    internal MemoryRanges MemoryDomain
    {
        get => _memoryDomain ??= new MemoryRanges(this);
        set => _memoryDomain = value;
    }

    /// <summary>Updates every registered tensor once, with the fused kernels on <see cref="Path"/>.</summary>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range; nothing was changed.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient, unscaled by <see cref="GradientScale"/>, is not finite under <see cref="NonFiniteGradientPolicy.Throw"/>; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">
    /// A tensor has taken <see cref="int.MaxValue"/> steps, or another thread is stepping or adding
    /// to this optimizer; nothing was changed.
    /// </exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Step()
    {
        _calls.Enter(OptimizerCall.Step);
        try
        {
            if (TryBeginStep(out KernelPath path))
            {
                RunKernels(path);
            }
        }
        finally
        {
            _calls.Exit();
        }
    }

    /// <summary>
    /// What every step path (kernels, and the oracles in KernelGen.Verification) does first, inside
    /// a Step call: the checks, the non-finite policy, then <see cref="BeforeStep"/>. False when
    /// the step is skipped.
    /// </summary>
    // Inlined into Step, as the helpers it calls on every step: a step's fixed cost is mostly calls.
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    internal bool TryBeginStep(out KernelPath path)
    {
        path = PrepareStep();
        if (NonFiniteGradients != NonFiniteGradientPolicy.Ignore && !ContinueAfterNonFiniteCheck())
        {
            return false;
        }

        BeginKernels();
        return true;
    }

    /// <summary>Applies the non-finite policy (other than Ignore) to every gradient: false when the step is skipped.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private bool ContinueAfterNonFiniteCheck()
    {
        NonFiniteGradient found = FindNonFiniteGradient();
        if (!found.Exists)
        {
            return true;
        }

        if (NonFiniteGradients == NonFiniteGradientPolicy.Throw)
        {
            throw found.ToException(tensorOffset: 0, group: -1);
        }

        RecordSkip();
        return false;
    }

    /// <summary>Runs the kernels on every tensor, then advances the step counts (the last part of a step, after every check).</summary>
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    internal void RunKernels(KernelPath path)
    {
        Span<ParameterTensor> tensors = _tensors.AsSpan();
        if (_maxDegreeOfParallelism > 1 && HelperThreads.Count > 0 && Rule.ReductionCount == 0)
        {
            StepTensorsInParallel(path);
        }
        else if (_stagedTensors == 0)
        {
            StepTensors(tensors, path);
        }
        else
        {
            StepStoredTensors(tensors, path);
        }

        foreach (ParameterTensor tensor in tensors)
        {
            tensor.Step++;
        }
    }

    private void StepTensorsInParallel(KernelPath path)
    {
        _parallelStep ??= new ParallelStep(_tensors, StepStoredTensors);
        _parallelStep.Run(path, _maxDegreeOfParallelism, _parallelThreshold, ShareEveryStep);
    }

    /// <summary>
    /// Shares every parallel step, even when sharing did not pay (tests of the hand-out set it:
    /// otherwise a loaded machine may send their steps to one thread).
    /// </summary>
    internal bool ShareEveryStep { get; set; }

    /// <summary>Steps above the threshold that ran on the calling thread because sharing did not pay.</summary>
    internal long GuardedSteps => _parallelStep?.GuardedSteps ?? 0;

    /// <summary>Bytes allocated on helper threads by parallel steps so far (tests hold it at 0).</summary>
    internal long HelperAllocatedBytes => _parallelStep?.HelperAllocatedBytes ?? 0;

    /// <summary>Steps that were shared between threads so far (tests check the threshold).</summary>
    internal long ParallelSteps => _parallelStep?.ParallelSteps ?? 0;

    /// <summary>Work items (chunks or runs of tensors) stepped on helper threads so far (tests check that helpers take part).</summary>
    internal long HelperItems => _parallelStep?.HelperItems ?? 0;

    /// <summary>
    /// The checks of a step, which change nothing: the kernel path, the hyper-parameters and the
    /// step counts. Returns the path to run on.
    /// </summary>
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    internal KernelPath PrepareStep()
    {
        KernelPath path = KernelDispatch.Resolve(Path);
        Validate();
        // By index: on .NET Standard a span of the list would be a copy, and a step allocates it once already.
        for (int t = 0; t < _tensors.Count; t++)
        {
            if (_tensors[t].Step == int.MaxValue)
            {
                ThrowStepCountFull(_tensors[t]);
            }
        }

        return path;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStepCountFull(ParameterTensor tensor) =>
        throw new InvalidOperationException(
            $"Tensor {tensor.Index} has taken {int.MaxValue} steps, the most a step count holds: another step would overflow it. Nothing was changed.");

    /// <summary>
    /// The first gradient value that is not finite once unscaled (multiplied by
    /// <see cref="GradientMultiplier"/>, as the kernels load it); none under
    /// <see cref="NonFiniteGradientPolicy.Ignore"/>, which reads nothing. Changes nothing.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal NonFiniteGradient FindNonFiniteGradient()
    {
        if (NonFiniteGradients == NonFiniteGradientPolicy.Ignore)
        {
            return default;
        }

        float multiplier = GradientMultiplier;
        foreach (ParameterTensor tensor in _tensors)
        {
            int index = FirstNonFiniteGradient(tensor, multiplier);
            if (index >= 0)
            {
                return new NonFiniteGradient(tensor.Index, index, GradientValue(tensor, index), multiplier);
            }
        }

        return default;
    }

    /// <summary>The start of a step that runs, after every check: clears <see cref="LastStepSkipped"/> and runs <see cref="BeforeStep"/>.</summary>
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    internal void BeginKernels()
    {
        LastStepSkipped = false;
        if (_quantizedTensors != 0)
        {
            AllocateUsedQuantizedStates();
        }

        BeforeStep();
    }

    /// <summary>Records a step skipped under <see cref="NonFiniteGradientPolicy.Skip"/>.</summary>
    internal void RecordSkip()
    {
        SkippedSteps++;
        LastStepSkipped = true;
    }

    /// <summary>Marks the start of a call that must not overlap another on this optimizer (see <see cref="OptimizerCall"/>).</summary>
    internal void EnterCall(OptimizerCall call) => _calls.Enter(call);

    /// <summary>Ends the call <see cref="EnterCall"/> started.</summary>
    internal void ExitCall() => _calls.Exit();

    /// <summary>The property names of every [Hyperparameter], in declaration order.</summary>
    public abstract IReadOnlyList<string> HyperparameterNames { get; }

    /// <summary>
    /// Checks every hyper-parameter before a step writes anything: the declared ranges
    /// (<see cref="HyperparameterAttribute.Minimum"/>, ...), then <see cref="ValidateOptions"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A value or a combination of values is refused.</exception>
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    public void Validate()
    {
        ValidateHyperparameterRanges();
        ValidateOptions();
    }

    /// <summary>
    /// Runs once per step, on every step path (kernels, rule, interpreter), after validation and the
    /// non-finite check and before any tensor changes: the place for a value a rule needs from all
    /// tensors at once (Adan's global gradient norm), handed to the rule as per-tensor state. The
    /// gradients still carry <see cref="GradientScale"/> here.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected virtual void BeforeStep()
    {
    }

    /// <summary>Checks the declared ranges; generated for optimizers that declare any.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual void ValidateHyperparameterRanges()
    {
    }

    /// <summary>Checks combinations of hyper-parameters (e.g. Nesterov needs momentum); override in the optimizer's own half.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected virtual void ValidateOptions()
    {
    }

    /// <summary>Sets a hyper-parameter by its property name or one of its aliases (bools take 0 or 1).</summary>
    /// <returns><see langword="false"/> when no hyper-parameter has that name.</returns>
    public abstract bool TrySetHyperparameter(string name, double value);

    /// <summary>Reads a hyper-parameter by its property name or one of its aliases (bools read 0 or 1).</summary>
    public abstract bool TryGetHyperparameter(string name, out double value);

    /// <summary>
    /// Runs the kernel on every tensor, each with step count <c>tensor.Step + 1</c>; the caller
    /// advances the counts afterwards. Registration has checked lengths and overlaps.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void StepTensors(Span<ParameterTensor> tensors, KernelPath path);

    /// <summary>Calls the scalar rule on each element of one tensor with step count <paramref name="step"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void StepTensorWithRule(ParameterTensor tensor, int step);

    /// <summary>Writes the hyper-parameter values in the order of <see cref="UpdateRule.Hyperparameters"/> (bools as 0 or 1).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void WriteHyperparameters(Span<double> values);

    /// <summary>State of the optimizer's own, beyond its tensors and hyper-parameters, that checkpoints save with it (the schedule-free mode).</summary>
    internal virtual ICheckpointCompanion? CheckpointCompanion => null;

    /// <summary>For the oracles in KernelGen.Verification: the generated element-by-element rule.</summary>
    internal void RunRule(ParameterTensor tensor, int step) => StepTensorWithRule(tensor, step);

    /// <summary>For the oracles in KernelGen.Verification: the hyper-parameters in the rule's order.</summary>
    internal void ReadHyperparameters(Span<double> values) => WriteHyperparameters(values);
}
