using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// The shape of an optimizer wrapper (Lookahead, and others of its kind): an inner
/// <see cref="Optimizer"/> does the update; the wrapper keeps state of its own for each of the
/// inner optimizer's tensors and acts after inner steps, with generated kernels of its own.
/// </summary>
/// <remarks>
/// <para>A wrapper overrides two methods. <see cref="OnTensorAdded"/> is called once for each
/// tensor of the inner optimizer, in registration order, before that tensor's first step through
/// the wrapper: it registers the tensor with the wrapper's kernels (allocating their state, the
/// only allocation). <see cref="AfterInnerStep"/> is called after each inner step that was not
/// skipped for a non-finite gradient. A wrapper's own kernel is an [Optimizer] class whose rule
/// names the inner parameter as its parameter and keeps its own state buffers; see
/// <see cref="Lookahead"/>.</para>
/// <para>Tensors may be registered through <see cref="Add"/> or directly with the inner optimizer
/// (before or after wrapping): the wrapper adopts them at the latest before the next step.
/// Schedulers and clipping take <see cref="Inner"/>, which holds the hyper-parameters and
/// gradients.</para>
/// </remarks>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)]
public abstract class OptimizerWrapper
{
    private int _adopted;

    /// <summary>Wraps <paramref name="inner"/>. A derived constructor calls <see cref="AdoptTensors"/> last if it must see tensors registered already.</summary>
    protected OptimizerWrapper(Optimizer inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The optimizer that updates the parameters.</summary>
    public Optimizer Inner { get; }

    /// <summary>The inner optimizer's tensors.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => Inner.Tensors;

    /// <summary>The kernel path of the inner optimizer and of the wrapper's kernels.</summary>
    public KernelPath Path
    {
        get => Inner.Path;
        set => Inner.Path = value;
    }

    /// <summary>Registers a tensor with the inner optimizer and with the wrapper.</summary>
    /// <inheritdoc cref="Optimizer.Add"/>
    public ParameterTensor Add(Memory<float> parameter, Memory<float> gradient)
    {
        ParameterTensor tensor = Inner.Add(parameter, gradient);
        AdoptTensors();
        return tensor;
    }

    /// <summary>
    /// Warms the inner optimizer up (<see cref="Optimizer.Warm"/>) and compiles this wrapper's own
    /// step, its kernels run on scratch buffers of its own, so that the first <see cref="Step"/> does
    /// not wait for the JIT. Changes nothing; may run on any thread while another steps; allocates
    /// nothing after its first call.
    /// </summary>
    /// <exception cref="ArgumentException">A setting of the wrapper or a hyper-parameter of the inner optimizer is out of its range; nothing was changed.</exception>
    public void Warm()
    {
        Validate();
        Inner.Warm();
        WarmOwnKernels();
        WarmUp.PrepareOptimized(typeof(OptimizerWrapper));
        WarmUp.PrepareOptimized(GetType());
    }

    /// <summary>For <see cref="Warm"/>: runs the wrapper's kernels (after the inner step) on scratch buffers, for every value of their flags.</summary>
    protected virtual void WarmOwnKernels()
    {
    }

    /// <summary>
    /// Validates the wrapper's settings, steps the inner optimizer, then runs the wrapper's part
    /// unless the inner step was skipped. Allocates nothing once every tensor is adopted.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Step()
    {
        Validate();
        AdoptTensors();
        Inner.Step();
        if (!Inner.LastStepSkipped)
        {
            AfterInnerStep();
        }
    }

    /// <summary>Checks the wrapper's own settings before anything changes; throws <see cref="ArgumentException"/>.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>Calls <see cref="OnTensorAdded"/> for every inner tensor not seen yet.</summary>
    protected void AdoptTensors()
    {
        IReadOnlyList<ParameterTensor> tensors = Inner.Tensors;
        for (; _adopted < tensors.Count; _adopted++)
        {
            OnTensorAdded(tensors[_adopted]);
        }
    }

    /// <summary>For checkpoints: every inner tensor gets the wrapper's state (as the next step would give it) before it is saved or loaded.</summary>
    internal void AdoptTensorsForCheckpoint() => AdoptTensors();

    /// <summary>Sets up the wrapper's state for one inner tensor.</summary>
    protected abstract void OnTensorAdded(ParameterTensor tensor);

    /// <summary>The wrapper's part of a step, after the inner optimizer's.</summary>
    protected abstract void AfterInnerStep();
}
