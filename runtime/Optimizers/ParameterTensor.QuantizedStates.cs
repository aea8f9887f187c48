using System;
using System.Runtime.CompilerServices;

namespace KernelGen;

// 8-bit block-quantized states (StateStorage.Int8Blockwise): the codes and scales, and the float
// workspace the kernel steps a group of blocks in.
public sealed partial class ParameterTensor
{
    private readonly QuantizedStates? _quantized;

    /// <summary>A workspace tensor (see <see cref="QuantizedStates"/>): its states are <paramref name="workspace"/>, its parameter and gradient bound per group.</summary>
    private ParameterTensor(Memory<float>[] workspace, int tensorStateCount)
    {
        Index = -1;
        _states = new TensorMemory[workspace.Length];
        for (int i = 0; i < workspace.Length; i++)
        {
            _states[i] = TensorMemory.Of(workspace[i]);
        }

        _tensorStates = new float[tensorStateCount];
    }

    /// <summary>
    /// The bytes of per-element state this tensor holds: 4 per element and state as floats, 2 as
    /// bfloat16 or half; as 8-bit
    /// codes, 1 per element and 4 per block of 256 for each state in use (a state the rule has not
    /// used yet under its settings, such as AMSGrad's maximum, takes none).
    /// </summary>
    public long StateBytes
    {
        get
        {
            if (_quantized is null)
            {
                return (long)_states.Length * Length * (StateStorage == StateStorage.Float32 ? sizeof(float) : sizeof(ushort));
            }

            long bytes = 0;
            for (int i = 0; i < _quantized.Count; i++)
            {
                bytes += _quantized.Buffer(i).AllocatedBytes;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Copies per-element state <paramref name="index"/> into <paramref name="destination"/> as
    /// floats, whatever its storage (16-bit values widen exactly; 8-bit codes are dequantized: map
    /// value times block scale).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="StateCount"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not <see cref="Length"/>.</exception>
    public void CopyState(int index, Span<float> destination)
    {
        CheckIndex(index, _states.Length, "per-element state buffer");
        if (destination.Length != Length)
        {
            throw new ArgumentException($"The destination has {destination.Length} elements but the tensor has {Length}.", nameof(destination));
        }

        if (_quantized is not null)
        {
            _quantized.Dequantize(index, 0, destination, KernelPath.Auto);
        }
        else if (_states[index].IsSingle)
        {
            _states[index].Single.Span.CopyTo(destination);
        }
        else
        {
            StorageConversion.Widen(StateStorage, _states[index].Bits, destination, KernelPath.Scalar);
        }
    }

    /// <summary>The 8-bit states; null when the states are floats.</summary>
    internal QuantizedStates? Quantized => _quantized;

    /// <summary>Where parallel chunks may start: whole 64-byte lines, or whole blocks when the states are 8-bit.</summary>
    private int ChunkAlignment => _quantized is null ? 16 : DynamicQuantizationMap.BlockLength;

    /// <summary>A workspace tensor whose states are <paramref name="workspace"/>.</summary>
    internal static ParameterTensor Workspace(Memory<float>[] workspace, int tensorStateCount) => new(workspace, tensorStateCount);

    /// <summary>Points this workspace tensor at one group: its parameter and gradient, and the first elements of the workspace.</summary>
    internal void Bind(Memory<float> parameter, Memory<float> gradient, int step, Memory<float>[] workspace)
    {
        _parameter = TensorMemory.Of(parameter);
        _gradient = TensorMemory.Of(gradient);
        Step = step;
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i] = TensorMemory.Of(workspace[i].Slice(0, parameter.Length));
        }
    }

    // On every step's path to the states: the test inlined, the message built out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfQuantized()
    {
        if (_quantized is not null)
        {
            ThrowQuantized();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowQuantized() => throw new InvalidOperationException(
        $"The states of tensor {Index} are 8-bit codes (StateStorage.Int8Blockwise), not floats: read them with CopyState.");
}
