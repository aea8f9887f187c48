using System;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Native;

/// <summary>How the native peer's results compare with KernelGen's after the same steps from the same start.</summary>
/// <param name="Elements">The elements compared, over every array the step writes.</param>
/// <param name="BitwiseDifferences">How many of them differ in any bit.</param>
/// <param name="MaxRelativeDifference">The largest |peer − KernelGen| / |KernelGen| (0 when bitwise equal).</param>
/// <param name="FirstDifference">The first element that differs, as text, or <see langword="null"/>.</param>
public sealed record PeerAgreement(int Elements, int BitwiseDifferences, double MaxRelativeDifference, string? FirstDifference)
{
    /// <summary>The most relative difference a peer may show and still be timed (one rounding in a few steps is far below it).</summary>
    public const double RelativeTolerance = 1e-6;

    /// <summary>Whether the peer computes the same update closely enough to be timed beside KernelGen.</summary>
    public bool Agrees => MaxRelativeDifference <= RelativeTolerance;

    /// <summary>One line for the table's header.</summary>
    public override string ToString() => BitwiseDifferences == 0
        ? $"bit for bit identical to KernelGen ({Elements} values)"
        : $"{BitwiseDifferences} of {Elements} values differ from KernelGen, at most {MaxRelativeDifference:G3} relative; first: {FirstDifference}";
}

/// <summary>Checks, before anything is timed, that the native peer computes what KernelGen computes.</summary>
public static class NativePeerCheck
{
    /// <summary>
    /// Steps KernelGen and the peer <paramref name="steps"/> times on two tensors with the same
    /// start (a length no vector width divides, so the peer's and the kernel's tails run too) and
    /// compares every array the step writes; <see langword="null"/> when the profile has no peer.
    /// </summary>
    public static PeerAgreement? Run(BenchProfile profile, NativePeer peer, KernelPath path = KernelPath.Auto, int elements = 1037, int steps = 3)
    {
        BenchSubject reference = BenchSubject.Create(profile, elements, path);
        BenchSubject subject = BenchSubject.Create(profile, elements, path, peer: peer);
        if (subject.Gcc is null)
        {
            return null;
        }

        for (int i = 0; i < steps; i++)
        {
            reference.KernelGen.Step();
            subject.Gcc.Step();
        }

        int compared = 0;
        int differences = 0;
        double maxRelative = 0;
        string? first = null;
        foreach (StepArray array in profile.Arrays)
        {
            if (array.Access == ArrayAccess.Read)
            {
                continue;
            }

            ReadOnlySpan<float> expected = reference.Arrays.Array(array.Name);
            ReadOnlySpan<float> actual = subject.Arrays.Array(array.Name);
            for (int i = 0; i < expected.Length; i++)
            {
                compared++;
                float e = expected[i];
                float a = actual[i];
                if (BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a))
                {
                    continue;
                }

                differences++;
                first ??= $"{array.Name}[{i}]: KernelGen {e:R}, peer {a:R}";
                double relative = e == 0f ? double.PositiveInfinity : Math.Abs((double)a - e) / Math.Abs((double)e);
                maxRelative = double.IsNaN(relative) ? double.PositiveInfinity : Math.Max(maxRelative, relative);
            }
        }

        return new PeerAgreement(compared, differences, maxRelative, first);
    }
}
