using System.Collections.Generic;

namespace KernelGen.Bench.Quick;

/// <summary>What timing one contender gave.</summary>
/// <param name="NanosecondsPerStep">The median over the samples of the time per step.</param>
/// <param name="AllocatedBytesPerStep">The median over the samples of the bytes allocated on this thread per step.</param>
/// <param name="Samples">How many samples the median is of.</param>
/// <param name="StepsPerSample">How many steps each sample timed.</param>
/// <param name="NanosecondsPerStepByRound">Each sample's time per step, in the order of the rounds: the contenders of one measurement have one each per round.</param>
public sealed record Measurement(double NanosecondsPerStep, double AllocatedBytesPerStep, int Samples, int StepsPerSample, IReadOnlyList<double> NanosecondsPerStepByRound);
