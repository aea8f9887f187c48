using System;
using System.Buffers.Binary;
using System.Numerics;

namespace KernelGen;

/// <summary>
/// CRC-32C (Castagnoli; the iSCSI and ext4 checksum): initial value and final xor 0xFFFFFFFF,
/// reflected. <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the SSE4.2 or ARMv8 CRC
/// instruction where there is one and a table otherwise, so no package is needed and every
/// ISA setting gives the same value.
/// </summary>
internal struct Crc32C
{
    private uint _state;
    private bool _started;

    /// <summary>Feeds <paramref name="bytes"/>, in order.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (!_started)
        {
            _state = uint.MaxValue;
            _started = true;
        }

        uint state = _state;
        while (bytes.Length >= sizeof(ulong))
        {
            // Little-endian read: the first byte of the run is the low byte, as the instruction takes it.
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes.Slice(sizeof(ulong));
        }

        foreach (byte b in bytes)
        {
            state = BitOperations.Crc32C(state, b);
        }

        _state = state;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public readonly uint Value => _started ? ~_state : 0u;
}
