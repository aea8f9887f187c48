using System;

namespace KernelGen.CrossArch;

/// <summary>
/// A 64-bit FNV-1a hash of the bits of everything an optimizer holds: each tensor's step count,
/// parameter, state buffers and per-tensor state. Every NaN is hashed as one canonical NaN, as the
/// bitwise tests count every NaN equal to every other: which operand's payload a NaN carries is
/// the JIT's choice, not the program's. Every other bit, the sign of zero included, counts.
/// </summary>
internal sealed class Digest
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;
    private const uint CanonicalNaN = 0x7FC00000;

    public ulong Value { get; private set; } = Offset;

    public void Add(Optimizer optimizer)
    {
        Add((uint)optimizer.Tensors.Count);
        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            Add((uint)tensor.Step);
            Add(tensor.Parameter.Span);
            for (int i = 0; i < tensor.StateCount; i++)
            {
                Add(tensor.State(i));
            }

            for (int i = 0; i < tensor.TensorStateCount; i++)
            {
                Add(tensor.TensorState(i));
            }
        }
    }

    /// <summary>Adds the length and the bits of <paramref name="values"/>.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        Add((uint)values.Length);
        foreach (float value in values)
        {
            Add(value);
        }
    }

    private void Add(float value) => Add(float.IsNaN(value) ? CanonicalNaN : BitConverter.SingleToUInt32Bits(value));

    private void Add(uint word)
    {
        for (int shift = 0; shift < 32; shift += 8)
        {
            Value = (Value ^ ((word >> shift) & 0xFF)) * Prime;
        }
    }
}
