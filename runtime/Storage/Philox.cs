namespace KernelGen;

/// <summary>
/// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
/// SC 2011): a counter-based generator. Its output is a pure function of a 128-bit counter and a
/// 64-bit key, so any element's random bits can be computed on any thread in any order.
/// </summary>
internal static class Philox
{
    private const uint Multiplier0 = 0xD2511F53u;
    private const uint Multiplier1 = 0xCD9E8D57u;
    private const uint Weyl0 = 0x9E3779B9u;
    private const uint Weyl1 = 0xBB67AE85u;

    /// <summary>The four 32-bit outputs for counter (c0, c1, c2, c3) and key (k0, k1).</summary>
    public static (uint, uint, uint, uint) Generate(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += Weyl0;
                k1 += Weyl1;
            }

            ulong product0 = (ulong)Multiplier0 * c0;
            ulong product1 = (ulong)Multiplier1 * c2;
            uint next0 = (uint)(product1 >> 32) ^ c1 ^ k0;
            uint next2 = (uint)(product0 >> 32) ^ c3 ^ k1;
            c1 = (uint)product1;
            c3 = (uint)product0;
            c0 = next0;
            c2 = next2;
        }

        return (c0, c1, c2, c3);
    }
}
