using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace KernelGen;

/// <summary>Checkpoints: the whole state of <see cref="LBFGS"/> (torch's <c>state</c>), so a resumed run continues bit for bit.</summary>
public sealed partial class LBFGS
{
    /// <summary>The participant name the LBFGS state is saved under (a checkpoint of zero optimizer groups).</summary>
    public const string CheckpointName = "lbfgs";

    /// <summary>
    /// Writes the state (hyper-parameters, counters, direction, step length, previous loss and
    /// gradient, the curvature pairs) to <paramref name="destination"/> (left open), in the
    /// checkpoint format of <see cref="Checkpoint"/>: a safetensors file of no tensors, the state
    /// in its metadata under the participant <see cref="CheckpointName"/>, next to any other
    /// participants of <paramref name="options"/>. With <see cref="CheckpointOptions.IncludeParameters"/>,
    /// the parameter values too.
    /// </summary>
    /// <exception cref="ArgumentException">A participant is named <see cref="CheckpointName"/>, or has an invalid name; the stream is not writable.</exception>
    /// <exception cref="NotSupportedException">The state is larger than a checkpoint's metadata may be (100 MB); nothing was written.</exception>
    public void Save(Stream destination, CheckpointOptions? options = null)
        => CheckpointWriter.Write(Array.Empty<Optimizer>(), destination, WithSelf(options));

    /// <summary>
    /// Restores the state <see cref="Save"/> wrote. The same tensors must be registered (the same
    /// total length). All or nothing: a refused checkpoint changes nothing.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint is refused; nothing was changed.</exception>
    public void Load(Stream source, CheckpointOptions? options = null)
        => CheckpointReader.Read(Array.Empty<Optimizer>(), source, WithSelf(options), wholeStream: false);

    private CheckpointOptions WithSelf(CheckpointOptions? options) =>
        CheckpointOwnState.With(options, CheckpointName, new CheckpointState(this, options?.IncludeParameters ?? false));

    /// <summary>The state as string pairs: numbers in the invariant culture, vectors as base64 little-endian float32.</summary>
    private sealed class CheckpointState(LBFGS owner, bool includeParameters) : ICheckpointState
    {
        public void Save(IDictionary<string, string> state)
        {
            // The state travels in the header, which readers cap; refuse before anything is written.
            long vectors = (owner.IsAllocated ? 2L + 2L * owner._historyCount : 0) + (includeParameters ? 1 : 0);
            long base64Bytes = (vectors * owner._length + owner._historyCount) * sizeof(float) * 4 / 3;
            if (base64Bytes > SafetensorsHeader.MaximumLength)
            {
                throw new NotSupportedException(
                    $"The LBFGS state ({vectors} vectors of {owner._length} floats) does not fit a checkpoint's metadata ({SafetensorsHeader.MaximumLength} bytes): lower HistorySize.");
            }

            state["length"] = Text(owner._length);
            state["lr"] = Text(owner._learningRate);
            state["max_iter"] = Text(owner._maxIterations);
            state["max_eval"] = owner._maxEvaluations is int maxEval ? Text(maxEval) : "none";
            state["tolerance_grad"] = Text(owner._toleranceGrad);
            state["tolerance_change"] = Text(owner._toleranceChange);
            state["history_size"] = Text(owner._historySize);
            state["line_search_fn"] = owner._lineSearch == LineSearchFunction.StrongWolfe ? "strong_wolfe" : "none";
            state["func_evals"] = Text(owner.FunctionEvaluations);
            state["n_iter"] = Text(owner.Iterations);
            state["t"] = Text(owner._stepSize);
            state["h_diag"] = Text(owner._hessianDiagonal);
            state["prev_loss"] = Text(owner._previousLoss);
            state["history_count"] = Text(owner._historyCount);
            if (owner.IsAllocated)
            {
                state["d"] = Encode(owner._direction);
                state["prev_flat_grad"] = Encode(owner._previousGradient);
                var rho = new float[owner._historyCount];
                for (int i = 0; i < owner._historyCount; i++)
                {
                    int slot = owner.Slot(i);
                    state["old_dirs." + Text(i)] = Encode(owner._differences[slot]);
                    state["old_stps." + Text(i)] = Encode(owner._steps[slot]);
                    rho[i] = owner._rho[slot];
                }

                state["ro"] = Encode(rho);
            }

            if (includeParameters)
            {
                var parameters = new float[owner._length];
                owner.CopyParameters(parameters);
                state["params"] = Encode(parameters);
            }
        }

        public Action PrepareLoad(IReadOnlyDictionary<string, string> state)
        {
            int length = Int(state, "length");
            if (length != owner._length)
            {
                throw new InvalidDataException($"The checkpoint's LBFGS vector has {length} elements, the registered tensors {owner._length}.");
            }

            double lr = Check(Double(state, "lr"), "lr", "Invalid learning rate.");
            int maxIter = CheckCount(Int(state, "max_iter"), "max_iter");
            int? maxEval = Get(state, "max_eval") == "none" ? null : CheckCount(Int(state, "max_eval"), "max_eval");
            double toleranceGrad = Check(Double(state, "tolerance_grad"), "tolerance_grad", "Invalid tolerance.");
            double toleranceChange = Check(Double(state, "tolerance_change"), "tolerance_change", "Invalid tolerance.");
            int historySize = CheckCount(Int(state, "history_size"), "history_size");
            LineSearchFunction lineSearch = Get(state, "line_search_fn") switch
            {
                "none" => LineSearchFunction.None,
                "strong_wolfe" => LineSearchFunction.StrongWolfe,
                string other => throw new InvalidDataException($"Unknown line search '{other}'."),
            };
            long functionEvaluations = Long(state, "func_evals");
            long iterations = Long(state, "n_iter");
            double stepSize = Double(state, "t");
            float hessianDiagonal = (float)Double(state, "h_diag");
            double previousLoss = Double(state, "prev_loss");
            int historyCount = Int(state, "history_count");
            if (historyCount < 0 || historyCount > historySize || functionEvaluations < 0 || iterations < 0)
            {
                throw new InvalidDataException("The LBFGS counters are out of range.");
            }

            bool allocated = state.ContainsKey("d");
            float[]? direction = allocated ? Decode(state, "d", length) : null;
            float[]? previousGradient = allocated ? Decode(state, "prev_flat_grad", length) : null;
            var differences = new float[historyCount][];
            var steps = new float[historyCount][];
            float[] rho = allocated ? Decode(state, "ro", historyCount) : new float[historyCount];
            for (int i = 0; i < historyCount; i++)
            {
                differences[i] = Decode(state, "old_dirs." + Text(i), length);
                steps[i] = Decode(state, "old_stps." + Text(i), length);
            }

            float[]? parameters = includeParameters ? Decode(state, "params", length) : null;
            return () =>
            {
                if (historySize != owner._historySize || !allocated)
                {
                    owner.Release();
                }

                owner._historySize = historySize;
                owner._learningRate = lr;
                owner._maxIterations = maxIter;
                owner._maxEvaluations = maxEval;
                owner._toleranceGrad = toleranceGrad;
                owner._toleranceChange = toleranceChange;
                owner._lineSearch = lineSearch;
                owner.FunctionEvaluations = functionEvaluations;
                owner.Iterations = iterations;
                owner._stepSize = stepSize;
                owner._hessianDiagonal = hessianDiagonal;
                owner._previousLoss = previousLoss;
                owner._historyStart = 0;
                owner._historyCount = historyCount;
                if (allocated)
                {
                    owner.Allocate();
                    direction!.CopyTo(owner._direction, 0);
                    previousGradient!.CopyTo(owner._previousGradient, 0);
                    for (int i = 0; i < historyCount; i++)
                    {
                        differences[i].CopyTo(owner._differences[i], 0);
                        steps[i].CopyTo(owner._steps[i], 0);
                        owner._rho[i] = rho[i];
                    }
                }

                if (parameters is not null)
                {
                    owner.RestoreParameters(parameters);
                }
            };
        }

        private static string Get(IReadOnlyDictionary<string, string> state, string key)
            => state.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"The LBFGS state has no '{key}'.");

        private static int Int(IReadOnlyDictionary<string, string> state, string key)
            => int.TryParse(Get(state, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw Invalid(key);

        private static long Long(IReadOnlyDictionary<string, string> state, string key)
            => long.TryParse(Get(state, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : throw Invalid(key);

        private static double Double(IReadOnlyDictionary<string, string> state, string key)
            => double.TryParse(Get(state, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : throw Invalid(key);

        private static float[] Decode(IReadOnlyDictionary<string, string> state, string key, int length) =>
            CheckpointOwnState.Decode(Get(state, key), length, $"The LBFGS state '{key}'");

        private static string Encode(ReadOnlySpan<float> values) => CheckpointOwnState.Encode(values);

        private static InvalidDataException Invalid(string key) => new($"The LBFGS state '{key}' is not a valid value.");

        // "R": the shortest text that parses back to the same double (and float widened to double).
        private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
