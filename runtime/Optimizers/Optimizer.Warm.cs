using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

// The warm-up: the step path compiled before the first step, on scratch tensors of the optimizer's own.
public abstract partial class Optimizer
{
    // Set while this thread runs the generated step on scratch tensors: nothing is kept for, or taken
    // from, a per-tensor step that another thread may have open on this optimizer.
    [ThreadStatic]
    private static bool t_warming;

    private ParameterTensor[]? _warmTensors;

    /// <summary>
    /// Compiles, before the first <see cref="Step"/>, every kernel instantiation and method a step
    /// with the current settings will run: the loops on <see cref="Path"/> and every narrower path
    /// its tails go down, for the flags the hyper-parameters and <see cref="GradientScale"/> decide
    /// and every value of those the step count or per-tensor state decide (<c>step == 1</c> and
    /// later steps), the per-tensor step (<see cref="BeginStep"/>) and the non-finite check. Each is
    /// compiled fully optimized, so that no step waits for the JIT or runs unoptimized code. Where
    /// <see cref="BeforeStep"/> is the base's, which does nothing, it calls it once, so that the
    /// runtime binds that call before the first step rather than in it. With no registered tensor it
    /// does nothing.
    /// </summary>
    /// <remarks>
    /// Warm runs the kernels on scratch tensors of its own: it reads no parameter, gradient or state
    /// and changes nothing of the optimizer, so it may run on any thread while another uses the
    /// optimizer (a game warms on a loading thread while the first frames step): a concurrent
    /// <see cref="Step"/> gives the bits it gives without Warm. The first call allocates the scratch
    /// tensors (1,087 elements per buffer); later calls allocate nothing. When a hyper-parameter changes so that
    /// a step needs another instantiation (say <c>Amsgrad</c>), that step compiles it and still gives
    /// the same bits; calling Warm again compiles it beforehand. Under NativeAOT everything is
    /// compiled ahead of time and Warm only runs the scratch step. Not covered: the hand-over of a
    /// parallel step (<see cref="MaxDegreeOfParallelism"/> above 1), compiled at its first use.
    /// </remarks>
    /// <exception cref="ArgumentException">A hyper-parameter is out of its range (as <see cref="Step"/> would say); nothing was changed.</exception>
    public void Warm()
    {
        if (_tensors.Count == 0)
        {
            return;
        }

        KernelPath path = KernelDispatch.Resolve(Path);
        Validate();
        bool firstWarm = _warmTensors is null;
        ParameterTensor[] scratch = _warmTensors ??= WarmTensors(Rule);
        t_warming = true;
        try
        {
            // Steps 1 and 2 through the step's own method, then every variant of the flags a later
            // step may take through the generated hook.
            for (int previousSteps = 0; previousSteps <= 1; previousSteps++)
            {
                scratch[0].Step = previousSteps;
                StepTensors(scratch, path);
            }

            scratch[0].Step = 0;
            WarmKernels(scratch, path);
            WarmStoredLoops(path); // the stored loops of the 16-bit tensors' storage types (Optimizer.Storage.cs)
        }
        finally
        {
            t_warming = false;
        }

        // Compiled is not yet called: the first call of a virtual method goes through the runtime's
        // prestub, which binds the optimizer type's slot to the compiled code (3 to 4 µs of a first
        // step with cold caches). The base BeforeStep does nothing, so it is called here, through the
        // slot the step calls; an override (Adan's) writes per-tensor state and is left to the step.
        // Code compiled ahead of time (NativeAOT) has no prestub.
        if (firstWarm && RuntimeFeature.IsDynamicCodeCompiled && BeforeStepIsTheBase())
        {
            BeforeStep();
        }

        FiniteCheck.FirstNonFinite(scratch[0].Gradient.Span, GradientMultiplier);
        WarmHyperparameterAccess();
        WarmUp.PrepareOptimized(typeof(ParameterTensor));
        WarmUp.PrepareOptimized(typeof(CallGuard));
        WarmUp.PrepareOptimized(typeof(KernelDispatch));
    }

    /// <summary>Whether this optimizer's <see cref="BeforeStep"/> is the base's, which does nothing (allocates a delegate: for the first warm-up only).</summary>
    internal bool BeforeStepIsTheBase() => ((Action)BeforeStep).Method.DeclaringType == typeof(Optimizer);

    /// <summary>
    /// Compiles the methods of the step path that are not generic: the optimizer's own (the step, the
    /// per-tensor step, validation, the hyper-parameters by name, which schedulers set every step)
    /// and the base class's.
    /// </summary>
    internal void WarmHyperparameterAccess()
    {
        WarmUp.PrepareOptimized(typeof(Optimizer));
        WarmUp.PrepareOptimized(GetType());
    }

    /// <summary>
    /// For <see cref="Warm"/>: what <see cref="StepTensors"/> does, on scratch tensors, with the loops
    /// run for every value of the uniform flags that the step count or per-tensor state decide.
    /// Generated for every optimizer; one written by hand steps the scratch tensors.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual void WarmKernels(Span<ParameterTensor> tensors, KernelPath path) => StepTensors(tensors, path);

    /// <summary>Whether the calling thread is warming an optimizer up (the generated step then keeps nothing for a per-tensor step).</summary>
    private static bool Warming => t_warming;

    /// <summary>
    /// One scratch tensor with the rule's state, long enough for every loop of every path: the
    /// pipelined loop, the one-vector loop and each rung of the tail (half-width vectors, then
    /// element by element).
    /// </summary>
    private static ParameterTensor[] WarmTensors(UpdateRule rule)
    {
        var gradient = new float[WarmUp.ScratchLength];
        gradient.AsSpan().Fill(0.5f);
        return [new ParameterTensor(0, TensorMemory.Of(new float[WarmUp.ScratchLength]), TensorMemory.Of(gradient), rule.StateNames.Count, rule.TensorStateNames.Count, StateStorage.Float32)];
    }
}
