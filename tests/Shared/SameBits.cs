using System;

namespace KernelGen.Testing;

/// <summary>
/// Bit-for-bit equality of results, with every NaN equal to every other NaN. Which operand's
/// payload a NaN result carries is not the program's to choose: x64 returns the first source
/// operand's NaN, and the JIT may swap the operands of a commutative operation at one tier and
/// not at another (a test's C# reference at tier 0 and the same code once tiered up give
/// 0xFFC00000 and 0xFFC00001). Every other bit, the sign of zero included, must match.
/// </summary>
internal static class SameBits
{
    public static bool Of(float expected, float actual) =>
        BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual)
        || (float.IsNaN(expected) && float.IsNaN(actual));

    public static bool Of(double expected, double actual) =>
        BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual)
        || (double.IsNaN(expected) && double.IsNaN(actual));
}
