using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Internal;

namespace KernelGen;

// Per-tensor stepping: one optimizer step taken a tensor at a time, so that a backward pass can
// step each parameter as soon as its gradient is complete (and reuse the gradient's memory).
public abstract partial class Optimizer
{
    private bool[] _steppedInOpenStep = Array.Empty<bool>();
    private int _pendingTensors;
    private bool _stepOpen;
    private KernelPath _openPath;
    private NonFiniteGradientPolicy _openPolicy;
    private float _openGradientScale;
    private double[] _openHyperparameters = Array.Empty<double>();
    private double[] _currentHyperparameters = Array.Empty<double>();

    // The step count whose uniform part the generated code kept during the open step (0: none yet;
    // step counts start at 1), so a kept part never outlives its step.
    private int _preparedStepCount;

    /// <summary>Whether a per-tensor step is open: <see cref="BeginStep"/> was called and <see cref="EndStep"/> has not ended it yet.</summary>
    public bool IsStepOpen => _stepOpen;

    /// <summary>
    /// Opens one optimizer step to be taken a tensor at a time with <see cref="StepTensor(ParameterTensor)"/>,
    /// and closed by <see cref="EndStep"/> once every registered tensor was stepped. It does what
    /// <see cref="Step"/> does before any update, once for the whole step: resolves the kernel path,
    /// validates the hyper-parameters and checks the step counts. Together, the three give the same
    /// bits as <see cref="Step"/>, in any order of the tensors.
    /// </summary>
    /// <remarks>
    /// While the step is open, <see cref="Step"/>, <see cref="Add"/>, checkpoints (save and load) and
    /// schedule-free mode switches are refused, and the hyper-parameters and
    /// <see cref="GradientScale"/> must not change (<see cref="StepTensor(ParameterTensor)"/> refuses
    /// to step with values that were not validated): a scheduler steps after <see cref="EndStep"/>.
    /// The <see cref="NonFiniteGradients"/> policy and the <see cref="Path"/> read here hold for the whole step.
    /// </remarks>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range; nothing was changed and no step is open.</exception>
    /// <exception cref="NotSupportedException">The rule needs every gradient before it updates any tensor (Adan clipping by the total norm).</exception>
    /// <exception cref="InvalidOperationException">
    /// A step is already open, a tensor has taken <see cref="int.MaxValue"/> steps, or another call
    /// is running on this optimizer; nothing was changed.
    /// </exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void BeginStep()
    {
        // Busy until the step is open: a callback inside BeforeStep cannot step a tensor of a half-open step.
        _calls.Enter(OptimizerCall.TensorStep);
        bool opened = false;
        try
        {
            OpenStep(CheckTensorStep());
            opened = true;
        }
        finally
        {
            if (!opened)
            {
                _calls.Exit();
            }
        }
    }

    /// <summary>
    /// Steps one registered tensor in the open per-tensor step (see <see cref="BeginStep"/>), as
    /// <see cref="Step"/> steps it: the same kernel on <see cref="Path"/>, the same loss scale, the
    /// same bits; its <see cref="ParameterTensor.Step"/> count advances by one. Runs on the calling
    /// thread and allocates nothing.
    /// </summary>
    /// <remarks>
    /// The non-finite policy acts on this tensor alone, since later gradients do not exist yet:
    /// under <see cref="NonFiniteGradientPolicy.Throw"/> the exception leaves this tensor untouched
    /// and still to be stepped (step it again once its gradient is fixed); under
    /// <see cref="NonFiniteGradientPolicy.Skip"/> this tensor's parameter, state and step count are
    /// left as they are, it counts as stepped, <see cref="LastStepSkipped"/> becomes true and the
    /// step counts once in <see cref="SkippedSteps"/>. The tensors stepped before it keep their update.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tensor"/> is not registered with this optimizer.</exception>
    /// <exception cref="NonFiniteGradientException">Its gradient is not finite under <see cref="NonFiniteGradientPolicy.Throw"/>; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">
    /// No step is open, the tensor was already stepped in this step, a hyper-parameter or the
    /// gradient scale changed since <see cref="BeginStep"/>, or another call is running; nothing was changed.
    /// </exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void StepTensor(ParameterTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        EnterOpenStep(nameof(StepTensor));
        try
        {
            if ((uint)tensor.Index >= (uint)_tensors.Count || !ReferenceEquals(_tensors[tensor.Index], tensor))
            {
                throw new ArgumentException("The tensor is not registered with this optimizer.", nameof(tensor));
            }

            if (_steppedInOpenStep[tensor.Index])
            {
                throw new InvalidOperationException(
                    $"Tensor {tensor.Index} was already stepped in this optimizer step: a per-tensor step steps each tensor once, then EndStep ends it. Nothing was changed.");
            }

            CheckSettingsUnchanged();
            if (_openPolicy != NonFiniteGradientPolicy.Ignore)
            {
                float multiplier = GradientMultiplier;
                int element = FirstNonFiniteGradient(tensor, multiplier);
                if (element >= 0)
                {
                    if (_openPolicy == NonFiniteGradientPolicy.Throw)
                    {
                        throw new NonFiniteGradient(tensor.Index, element, GradientValue(tensor, element), multiplier).ToException(tensorOffset: 0, group: -1);
                    }

                    if (!LastStepSkipped)
                    {
                        RecordSkip();
                    }

                    MarkStepped(tensor);
                    return;
                }
            }

            // A span over the one tensor, no array: allocation-free on every target framework.
            StepStoredTensors(MemoryMarshal.CreateSpan(ref tensor, 1), _openPath);
            tensor.Step++;
            MarkStepped(tensor);
        }
        finally
        {
            _calls.TrySwitch(OptimizerCall.TensorStep, OptimizerCall.TensorSteps, out _);
        }
    }

    /// <summary>Steps the tensor at <paramref name="index"/> in <see cref="Tensors"/>: see <see cref="StepTensor(ParameterTensor)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not below the number of tensors.</exception>
    public void StepTensor(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _tensors.Count);
        StepTensor(_tensors[index]);
    }

    /// <summary>
    /// Ends the per-tensor step <see cref="BeginStep"/> opened, once every registered tensor was
    /// stepped (or skipped) by <see cref="StepTensor(ParameterTensor)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// No step is open, another call is running, or a tensor was not stepped yet (the step stays
    /// open: step the tensors the message names, then end it).
    /// </exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void EndStep()
    {
        EnterOpenStep(nameof(EndStep));
        bool closed = false;
        try
        {
            ThrowIfStepIncomplete(group: -1);
            CloseStep();
            closed = true;
        }
        finally
        {
            if (closed)
            {
                _calls.Exit();
            }
            else
            {
                _calls.TrySwitch(OptimizerCall.TensorStep, OptimizerCall.TensorSteps, out _);
            }
        }
    }

    /// <summary>Why this optimizer's rule, with its current settings, cannot step one tensor at a time; null when it can.</summary>
    internal virtual string? PerTensorStepRefusal => null;

    /// <summary>The checks of <see cref="BeginStep"/>, which change nothing: the refusal, then those of <see cref="Step"/>. Returns the path.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal KernelPath CheckTensorStep()
    {
        string? refusal = PerTensorStepRefusal;
        if (refusal is not null)
        {
            throw new NotSupportedException(refusal);
        }

        return PrepareStep();
    }

    /// <summary>
    /// Opens the step after its checks passed. The caller holds the call guard in
    /// <see cref="OptimizerCall.TensorStep"/>; it is left in <see cref="OptimizerCall.TensorSteps"/>, the open step.
    /// </summary>
    /// <summary>
    /// Whether the generated step may reuse the uniform part it kept for this open per-tensor step
    /// at step count <paramref name="step"/> instead of computing it again (the hyper-parameters and
    /// gradient scale cannot change while the step is open).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected bool ReusesPreparedUniforms(int step)
    {
        bool reuse = _stepOpen && _preparedStepCount == step && !Warming;
        if (reuse)
        {
            PreparedUniformsReused++;
        }

        return reuse;
    }

    /// <summary>
    /// Called by the generated step after it computed the uniform part for step count
    /// <paramref name="step"/>: true when a per-tensor step is open, and the generated code then keeps
    /// what it computed for the other tensors of this step.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    protected bool KeepsPreparedUniforms(int step)
    {
        if (!_stepOpen || Warming)
        {
            return false;
        }

        _preparedStepCount = step;
        return true;
    }

    /// <summary>Tensors of per-tensor steps that reused their step's uniform part so far (tests check it is computed once).</summary>
    internal long PreparedUniformsReused { get; private set; }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal void OpenStep(KernelPath path)
    {
        int count = _tensors.Count;
        if (_steppedInOpenStep.Length < count)
        {
            _steppedInOpenStep = new bool[Math.Max(count, 2 * _steppedInOpenStep.Length)];
        }

        int hyperparameters = HyperparameterNames.Count;
        if (_openHyperparameters.Length != hyperparameters)
        {
            _openHyperparameters = new double[hyperparameters];
            _currentHyperparameters = new double[hyperparameters];
        }

        WriteHyperparameters(_openHyperparameters);
        _openGradientScale = _gradientScale;
        _openPolicy = NonFiniteGradients;
        _openPath = path;
        _pendingTensors = count;
        BeginKernels();
        _preparedStepCount = 0;
        _stepOpen = true;
        _calls.TrySwitch(OptimizerCall.TensorStep, OptimizerCall.TensorSteps, out _);
    }

    /// <summary>Throws, naming the first tensor not stepped yet, unless every tensor was stepped in the open step.</summary>
    internal void ThrowIfStepIncomplete(int group)
    {
        if (_pendingTensors == 0)
        {
            return;
        }

        int first = Array.IndexOf(_steppedInOpenStep, false, 0, _tensors.Count);
        string where = group < 0 ? "" : $" of group {group}";
        throw new InvalidOperationException(
            $"{_pendingTensors} of the {_tensors.Count} tensors{where} were not stepped in this optimizer step (the first is tensor {first}): call StepTensor for each before EndStep. The step stays open.");
    }

    /// <summary>Closes the open step (the caller releases the call guard).</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    internal void CloseStep()
    {
        Array.Clear(_steppedInOpenStep);
        _pendingTensors = 0;
        _stepOpen = false;
    }

    /// <summary>Moves the call guard from the open step into <paramref name="call"/>'s work, or throws saying why it cannot.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private void EnterOpenStep(string call)
    {
        if (!_calls.TrySwitch(OptimizerCall.TensorSteps, OptimizerCall.TensorStep, out OptimizerCall running))
        {
            throw new InvalidOperationException(running == OptimizerCall.None
                ? $"{call} was called with no per-tensor step open: call BeginStep first, then StepTensor for each tensor, then EndStep. Nothing was changed."
                : $"{call} was called while {CallGuard.Name(running)} was running on the same optimizer: an optimizer takes one call at a time. Nothing was changed.");
        }
    }

    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private void MarkStepped(ParameterTensor tensor)
    {
        _steppedInOpenStep[tensor.Index] = true;
        _pendingTensors--;
    }

    /// <summary>Refuses a step with settings that <see cref="BeginStep"/> did not validate.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private void CheckSettingsUnchanged()
    {
        if (BitConverter.SingleToInt32Bits(_gradientScale) != BitConverter.SingleToInt32Bits(_openGradientScale))
        {
            throw new InvalidOperationException(
                $"GradientScale changed from {_openGradientScale} to {_gradientScale} during a per-tensor step: change it after EndStep. Nothing was changed.");
        }

        WriteHyperparameters(_currentHyperparameters);
        for (int i = 0; i < _currentHyperparameters.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(_currentHyperparameters[i]) != BitConverter.DoubleToInt64Bits(_openHyperparameters[i]))
            {
                throw new InvalidOperationException(
                    $"The hyper-parameter {HyperparameterNames[i]} changed from {(float)_openHyperparameters[i]} to {(float)_currentHyperparameters[i]} during a per-tensor step: change it after EndStep (a scheduler steps after EndStep). Nothing was changed.");
            }
        }
    }
}
