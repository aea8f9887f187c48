using System;
using System.Collections.Generic;

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
    /// Validates the wrapper's settings, steps the inner optimizer, then runs the wrapper's part
    /// unless the inner step was skipped. Allocates nothing once every tensor is adopted.
    /// </summary>
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
