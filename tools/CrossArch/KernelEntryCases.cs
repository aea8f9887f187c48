using System.Linq;
using KernelGen.Tests.Kernels;

namespace KernelGen.CrossArch;

/// <summary>
/// The [Kernel] entries of <see cref="KernelCases.Kernels"/>, with the data of
/// KernelEntryTests.KernelEqualsRule: every length, three calls, digested instead of compared with
/// the rule element by element.
/// </summary>
internal static class KernelEntryCases
{
    private const int Calls = 3;

    public static CrossArchCase Run(string kernel, int length) =>
        new($"kernel {kernel} n={length}", path =>
        {
            var digest = new Digest();
            foreach (float[] span in KernelCases.RunKernel(KernelCases.Kernels[kernel], path, length, Calls))
            {
                digest.Add(span);
            }

            return digest.Value;
        });

    public static string[] Names => KernelCases.Kernels.Keys.ToArray();
}
