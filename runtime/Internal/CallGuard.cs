using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;

namespace KernelGen.Internal;

/// <summary>The calls on an optimizer that change its tensors or their state, which must not overlap.</summary>
internal enum OptimizerCall
{
    /// <summary>No call is running.</summary>
    None,

    /// <summary><see cref="Optimizer.Step"/>, a step of the groups it is in, or an oracle's step.</summary>
    Step,

    /// <summary><see cref="Optimizer.Add"/>.</summary>
    Add,

    /// <summary>A checkpoint load changing the optimizer.</summary>
    Load,

    /// <summary>A schedule-free <c>Eval()</c> or <c>Train()</c> moving the parameters.</summary>
    ModeSwitch,

    /// <summary>A per-tensor step, open from <see cref="Optimizer.BeginStep"/> to <see cref="Optimizer.EndStep"/>.</summary>
    TensorSteps,

    /// <summary><see cref="Optimizer.BeginStep"/>, <see cref="Optimizer.StepTensor(ParameterTensor)"/> or <see cref="Optimizer.EndStep"/> at work.</summary>
    TensorStep,
}

/// <summary>
/// Detects overlapping calls on one optimizer (two threads stepping it, an Add during a step):
/// one interlocked exchange to enter, one write to leave. It detects misuse, it does not make an
/// optimizer safe to share: a call that starts after another ends is not refused.
/// </summary>
internal struct CallGuard
{
    private int _running;

    /// <summary>Enters <paramref name="call"/>, or throws naming the call already running.</summary>
    /// <exception cref="InvalidOperationException">Another call is running on this optimizer.</exception>
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    public void Enter(OptimizerCall call)
    {
        var running = (OptimizerCall)Interlocked.CompareExchange(ref _running, (int)call, (int)OptimizerCall.None);
        if (running != OptimizerCall.None)
        {
            ThrowBusy(call, running);
        }
    }

    // Every step enters: the comparison inlined, the messages built out of line.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBusy(OptimizerCall call, OptimizerCall running)
    {
        if (running == OptimizerCall.TensorSteps)
        {
            throw new InvalidOperationException(
                $"{Name(call)} was called while a per-tensor step was open on the same optimizer: end it with EndStep first (after a StepTensor call for every tensor). Nothing was changed by this call.");
        }

        throw new InvalidOperationException(
            $"{Name(call)} was called while {Name(running)} was running on the same optimizer (another thread, or a callback inside the step). An optimizer takes one call at a time: step, add and load it from one thread, or lock around the calls. Nothing was changed by this call.");
    }

    /// <summary>Leaves the running call.</summary>
    [MethodImpl(StepMethod.InlinedAndOptimized)]
    public void Exit() => Volatile.Write(ref _running, (int)OptimizerCall.None);

    /// <summary>
    /// Moves from <paramref name="from"/> to <paramref name="to"/> (a tensor's step inside an open
    /// per-tensor step, and back): false, with the call found, when <paramref name="from"/> is not running.
    /// </summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public bool TrySwitch(OptimizerCall from, OptimizerCall to, out OptimizerCall running)
    {
        running = (OptimizerCall)Interlocked.CompareExchange(ref _running, (int)to, (int)from);
        return running == from;
    }

    /// <summary>The running call (for messages; another thread may change it at once).</summary>
    public OptimizerCall Running => (OptimizerCall)Volatile.Read(ref _running);

    internal static string Name(OptimizerCall call) => call switch
    {
        OptimizerCall.Step => "Step",
        OptimizerCall.Add => "Add",
        OptimizerCall.Load => "a checkpoint load",
        OptimizerCall.ModeSwitch => "Eval or Train",
        OptimizerCall.TensorSteps => "a per-tensor step (BeginStep ... EndStep)",
        OptimizerCall.TensorStep => "BeginStep, StepTensor or EndStep",
        _ => call.ToString(),
    };
}
