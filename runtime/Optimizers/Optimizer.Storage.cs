using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Threading;
using KernelGen.Internal;

namespace KernelGen;

// Storage types: tensors whose parameter, gradient or states are 16-bit. The rule computes in
// float32. A tensor that rounds to nearest steps in the generated stored loops, which widen as they
// load and round as they store; the others (stochastic rounding, per-tensor reductions, storage
// combinations without stored loops, .NET Standard) are staged through float32 blocks (widen
// exactly, run the float32 kernel, narrow to nearest-even or stochastically). Both give the same bits.
public abstract partial class Optimizer
{
    /// <summary>Elements per staged block: a few buffers of it stay in the first two cache levels.</summary>
    internal const int StagingBlock = 2048;

    /// <summary>
    /// The seed of stochastic rounding (<see cref="ParameterTensor.StochasticRounding"/>): the key of
    /// the counter-based generator whose counter is (element, tensor, step, buffer). The same seed
    /// gives the same bits on every path, for any thread count, and after a checkpoint resume.
    /// </summary>
    public ulong StochasticRoundingSeed { get; set; }

    /// <summary>
    /// Registers a parameter tensor and its gradient stored as float, <c>System.Half</c> or
    /// <see cref="BFloat16"/> (each its own type, e.g. a bfloat16 parameter with a float gradient),
    /// and allocates its state in <see cref="StateStorage"/>, zeroed and 64-byte aligned. Steps
    /// widen each stored value exactly, compute in float32 and round what they write back to the
    /// parameter's type. Otherwise as <see cref="Add(Memory{float}, Memory{float})"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">An element type other than float, Half or BFloat16.</exception>
    /// <exception cref="ArgumentException">As <see cref="Add(Memory{float}, Memory{float})"/>.</exception>
    /// <exception cref="InvalidOperationException">Another thread is stepping or adding to this optimizer.</exception>
    /// <exception cref="NotSupportedException">
    /// Also: a 16-bit parameter or gradient while <see cref="StateStorage"/> is
    /// <see cref="StateStorage.Int8Blockwise"/> (8-bit states step float32 parameters only).
    /// </exception>
    public ParameterTensor Add<TParameter, TGradient>(Memory<TParameter> parameter, Memory<TGradient> gradient) =>
        AddTensor(TensorMemory.Of(parameter, nameof(parameter)), TensorMemory.Of(gradient, nameof(gradient)));

    /// <summary>
    /// Whether tensors with 16-bit buffers step in the generated stored loops where the rule has them
    /// for the tensor's storage types (tests turn it off to compare with the staged step).
    /// </summary>
    internal bool UsesStoredLoops { get; set; } = true;

    /// <summary>Tensor steps (whole tensors or parallel chunks) the stored loops ran: tests check which way a step went.</summary>
    internal long StoredLoopSteps => Interlocked.Read(ref _storedLoopSteps);

    private long _storedLoopSteps;

    /// <summary>
    /// Steps <paramref name="tensor"/>, which has a 16-bit buffer, in the generated stored loops: each
    /// buffer loaded and widened, and rounded to nearest even as it is stored, in its own type, with
    /// the bits of the staged step. With <paramref name="warm"/>, on a scratch tensor for
    /// <see cref="Warm"/>: the loops for every value of the flags the step and per-tensor state decide.
    /// Generated for every optimizer whose rule has no per-tensor reduction; false (the tensor is then
    /// staged) for a storage combination without stored loops.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual bool StepStoredTensor(ParameterTensor tensor, KernelPath path, bool warm) => false;

    /// <summary>The stored loops for a tensor that rounds to nearest; false when it must be staged.</summary>
    private bool StepInStoredLoops(ParameterTensor tensor, KernelPath path)
    {
        if (!UsesStoredLoops || tensor.StochasticRounding || !StepStoredTensor(tensor, path, warm: false))
        {
            return false;
        }

        Interlocked.Increment(ref _storedLoopSteps);
        return true;
    }

    /// <summary>
    /// Compiles, for <see cref="Warm"/>, the step of each registered 16-bit tensor's storage types and
    /// rounding, on a scratch tensor of those (allocated at the first call, one per kind): the staged
    /// step's frame, and the stored loops for every value of the flags the step and per-tensor state decide.
    /// </summary>
    private void WarmStoredLoops(KernelPath path)
    {
        foreach (ParameterTensor tensor in _tensors)
        {
            if (!tensor.IsStored || tensor.Quantized is not null)
            {
                continue;
            }

            ParameterTensor scratch = WarmStoredTensor(tensor);
            scratch.Step = 0;
            StepStaged(scratch, path, new KernelBlock(this, path));
            if (!scratch.StochasticRounding)
            {
                StepStoredTensor(scratch, path, warm: true);
            }
        }
    }

    /// <summary>The scratch tensor with <paramref name="tensor"/>'s storage types and rounding.</summary>
    private ParameterTensor WarmStoredTensor(ParameterTensor tensor)
    {
        foreach (ParameterTensor candidate in _warmStoredTensors)
        {
            if (candidate.ParameterStorage == tensor.ParameterStorage && candidate.GradientStorage == tensor.GradientStorage
                && candidate.StateStorage == tensor.StateStorage && candidate.StochasticRounding == tensor.StochasticRounding)
            {
                return candidate;
            }
        }

        var scratch = new ParameterTensor(0, TensorMemory.Allocate(tensor.ParameterStorage, WarmUp.ScratchLength), TensorMemory.Allocate(tensor.GradientStorage, WarmUp.ScratchLength),
            tensor.StateCount, tensor.TensorStateCount, tensor.StateStorage) { StochasticRounding = tensor.StochasticRounding };
        _warmStoredTensors.Add(scratch);
        return scratch;
    }

    private readonly List<ParameterTensor> _warmStoredTensors = new();

    /// <summary>
    /// Steps <paramref name="tensor"/> whole when <paramref name="step"/> can without staging (the
    /// generated stored loops; see <see cref="IStagedStep.StepsUnstaged"/>). Otherwise runs
    /// <paramref name="step"/> on <paramref name="tensor"/> block by block, each block widened
    /// into float32 (a float32 buffer is used in place), and rounds the parameter and states back to
    /// their types. A rule with per-tensor reductions takes the whole tensor as one block, so its
    /// sums run over the same values in the same order as on float32 buffers; so does an oracle
    /// (<paramref name="whole"/>), which checks that blocks change no bits.
    /// </summary>
    internal void StepStaged<TStep>(ParameterTensor tensor, KernelPath path, TStep step, bool whole = false)
        where TStep : IStagedStep
    {
        if (step.StepsUnstaged(tensor))
        {
            return;
        }

        int length = tensor.Length;
        int block = whole || Rule.ReductionCount > 0 ? Math.Max(length, 1) : StagingBlock;
        StagingArea area = StagingArea.ForThisThread;
        ParameterTensor staged = area.Tensor(tensor.StateCount, tensor.TensorStateCount);
        bool stochastic = tensor.StochasticRounding;
        for (int start = 0; start < length; start += block)
        {
            int count = Math.Min(block, length - start);
            staged.Step = tensor.Step;
            tensor.TensorStates.CopyTo(staged.TensorStates);
            staged.StageParameter(Load(tensor.ParameterMemory, start, count, area, 0, path), Load(tensor.GradientMemory, start, count, area, 1, path));
            for (int s = 0; s < tensor.StateCount; s++)
            {
                staged.StageState(s, Load(tensor.StateBuffer(s), start, count, area, 2 + s, path));
            }

            step.Run(staged);
            int rounded = tensor.Offset + start;
            Store(staged.Parameter.Span, tensor.ParameterMemory, start, stochastic, new RoundingKey(StochasticRoundingSeed, tensor.Step + 1, tensor.Index, 0), rounded, path);
            for (int s = 0; s < tensor.StateCount; s++)
            {
                Store(staged.State(s), tensor.StateBuffer(s), start, stochastic, new RoundingKey(StochasticRoundingSeed, tensor.Step + 1, tensor.Index, 1 + s), rounded, path);
            }
        }

        if (length > 0)
        {
            staged.TensorStates.CopyTo(tensor.TensorStates);
        }
    }

    /// <summary>Elements [start, start + count) of a buffer as float32: the buffer itself, or its widened copy in the staging area.</summary>
    private static Memory<float> Load(TensorMemory buffer, int start, int count, StagingArea area, int slot, KernelPath path)
    {
        if (buffer.IsSingle)
        {
            return buffer.Single.Slice(start, count);
        }

        Memory<float> widened = area.Buffer(slot, count);
        StorageConversion.Widen(buffer.Type, buffer.Bits.Slice(start, count), widened.Span, path);
        return widened;
    }

    /// <summary>Rounds staged values back into a 16-bit buffer (a float32 buffer was updated in place).</summary>
    private static void Store(ReadOnlySpan<float> values, TensorMemory buffer, int start, bool stochastic, in RoundingKey key, int firstElement, KernelPath path)
    {
        if (buffer.IsSingle)
        {
            return;
        }

        Span<ushort> target = buffer.Bits.Slice(start, values.Length);
        if (stochastic)
        {
            StochasticRounding.Narrow(buffer.Type, values, target, key, firstElement);
        }
        else
        {
            StorageConversion.Narrow(buffer.Type, values, target, path);
        }
    }

    /// <summary>The first element whose gradient, widened and unscaled, is not finite; -1 when all are.</summary>
    private static int FirstNonFiniteGradient(ParameterTensor tensor, float multiplier)
    {
        TensorMemory gradient = tensor.GradientMemory;
        if (gradient.IsSingle)
        {
            return FiniteCheck.FirstNonFinite(gradient.Single.Span, multiplier);
        }

        Span<ushort> bits = gradient.Bits;
        for (int i = 0; i < bits.Length; i++)
        {
            if (!float.IsFinite(Widen(gradient.Type, bits[i]) * multiplier))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Gradient element <paramref name="index"/>, widened to float.</summary>
    private static float GradientValue(ParameterTensor tensor, int index)
    {
        TensorMemory gradient = tensor.GradientMemory;
        return gradient.IsSingle ? gradient.Single.Span[index] : Widen(gradient.Type, gradient.Bits[index]);
    }

    private static float Widen(StateStorage type, ushort bits) =>
        type == StateStorage.Float16 ? StorageConversion.WidenHalf(bits) : StorageConversion.WidenBFloat16(bits);

    /// <summary>The generated kernels on one staged block.</summary>
    private readonly struct KernelBlock(Optimizer optimizer, KernelPath path) : IStagedStep
    {
        public bool StepsUnstaged(ParameterTensor tensor) => optimizer.StepInStoredLoops(tensor, path);

        public void Run(ParameterTensor staged) => optimizer.StepTensors(MemoryMarshal.CreateSpan(ref staged, 1), path);
    }
}

/// <summary>What a staged step does to one float32 block of a stored tensor (kernels, or an oracle).</summary>
internal interface IStagedStep
{
    /// <summary>Steps the whole stored tensor without staging when it can (the generated stored loops); false: stage it.</summary>
    bool StepsUnstaged(ParameterTensor tensor);

    void Run(ParameterTensor staged);
}
