using System.IO;
using System.Linq;
using KernelGen.Tests.Kernels;

namespace KernelGen.CrossArch;

/// <summary>
/// Checkpoint resume: six steps uninterrupted; three steps, a checkpoint (parameters included),
/// and three more in a new optimizer and new parameter memory; and three more from a checkpoint
/// file another machine wrote after its first three steps. All three must give the bits of the
/// uninterrupted run. Gradients depend on the parameters (<see cref="KernelCases.QuadraticGradient"/>,
/// as in the checkpoint tests), so a resumed run that restored anything wrongly drifts away.
/// </summary>
internal static class CheckpointCases
{
    private static readonly int[] Lengths = { 37, 64, 1, 0, 300 };
    private static readonly CheckpointOptions Options = new() { IncludeParameters = true };
    private const int SavedAt = 3;
    private const int Steps = 6;

    public static CrossArchCase Uninterrupted(string optimizer) =>
        new($"checkpoint {optimizer}", path =>
        {
            Training training = Training.Start(optimizer, path);
            training.StepTo(SavedAt);
            return training.FinishDigest();
        });

    public static CrossArchCase Resumed(string optimizer) =>
        new($"checkpoint resumed {optimizer}", path =>
        {
            Training first = Training.Start(optimizer, path);
            first.StepTo(SavedAt);
            var stream = new MemoryStream();
            Checkpoint.Save(first.Optimizer, stream, Options);
            stream.Position = 0;
            Training resumed = Training.Empty(optimizer, path);
            Checkpoint.Load(resumed.Optimizer, stream, Options);
            return resumed.FinishDigest();
        }, SameAs: $"checkpoint {optimizer}");

    /// <summary>Continues from the file <see cref="Write"/> left in <paramref name="folder"/>, on another machine or this one.</summary>
    public static CrossArchCase Loaded(string optimizer, string folder) =>
        new($"checkpoint loaded {optimizer}", path =>
        {
            Training resumed = Training.Empty(optimizer, path);
            Checkpoint.LoadFile(resumed.Optimizer, Path.Combine(folder, FileName(optimizer)), Options);
            return resumed.FinishDigest();
        }, SameAs: $"checkpoint {optimizer}");

    /// <summary>Writes the checkpoint after the first three steps (on the widest path) for another machine to load.</summary>
    public static void Write(string optimizer, string folder)
    {
        Training training = Training.Start(optimizer, KernelPath.Auto);
        training.StepTo(SavedAt);
        Checkpoint.SaveFile(training.Optimizer, Path.Combine(folder, FileName(optimizer)), Options);
    }

    /// <summary>The case's name with every character but letters and digits turned into '_'.</summary>
    public static string FileName(string optimizer) =>
        new string(optimizer.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()) + ".safetensors";

    private sealed class Training
    {
        private readonly float[][] _gradients;
        private int _step;

        private Training(string optimizer, KernelPath path, bool initialValues)
        {
            Optimizer = KernelCases.Optimizers[optimizer]();
            Optimizer.Path = path;
            _gradients = new float[Lengths.Length][];
            for (int t = 0; t < Lengths.Length; t++)
            {
                _gradients[t] = new float[Lengths[t]];
                Optimizer.Add(initialValues ? KernelCases.Values(Lengths[t], seed: 7 + t, scale: 2f) : new float[Lengths[t]], _gradients[t]);
            }
        }

        public Optimizer Optimizer { get; }

        /// <summary>A run from the initial values.</summary>
        public static Training Start(string optimizer, KernelPath path) => new(optimizer, path, initialValues: true);

        /// <summary>A run whose parameters and state a checkpoint is about to fill in, at the step it was saved.</summary>
        public static Training Empty(string optimizer, KernelPath path) => new(optimizer, path, initialValues: false) { _step = SavedAt };

        public void StepTo(int last)
        {
            while (_step < last)
            {
                Step();
            }
        }

        /// <summary>The steps after the checkpoint, each one's result in the digest.</summary>
        public ulong FinishDigest()
        {
            var digest = new Digest();
            while (_step < Steps)
            {
                Step();
                digest.Add(Optimizer);
            }

            return digest.Value;
        }

        private void Step()
        {
            _step++;
            for (int t = 0; t < _gradients.Length; t++)
            {
                KernelCases.QuadraticGradient(Optimizer.Tensors[t].Parameter.Span, _gradients[t], _step, t);
            }

            Optimizer.Step();
        }
    }
}
