using System;
using System.Buffers.Binary;
using System.Numerics;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// CRC-32C (Castagnoli; the iSCSI and ext4 checksum): initial value and final xor 0xFFFFFFFF,
/// reflected. On .NET, <c>BitOperations.Crc32C</c> uses the SSE4.2 or ARMv8 CRC
/// instruction where there is one and a table otherwise, so no package is needed and every
/// ISA setting gives the same value.
/// </summary>
internal struct Crc32C
{
    private uint _state;
    private bool _started;

#if !NET
    /// <summary>The reflected Castagnoli polynomial's table: the CRC of each byte value.</summary>
    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
#endif

    /// <summary>Feeds <paramref name="bytes"/>, in order.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (!_started)
        {
            _state = uint.MaxValue;
            _started = true;
        }

        uint state = _state;
#if NET
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
#else
        // .NET Standard has no CRC instruction helper: the same checksum from a table, a byte at a time.
        for (int i = 0; i < bytes.Length; i++)
        {
            state = Table[(state ^ bytes.ItemAt(i)) & 0xFF] ^ (state >> 8);
        }
#endif

        _state = state;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public readonly uint Value => _started ? ~_state : 0u;
}
