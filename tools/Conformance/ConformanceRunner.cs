using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace KernelGen.Conformance;

/// <summary>
/// Runs conformance cases through the library's public API only: an <see cref="Optimizer"/>
/// from the factory, hyper-parameters by the reference's names through
/// <see cref="Optimizer.TrySetHyperparameter"/>, tensors through <see cref="Optimizer.Add"/>, and
/// <see cref="Optimizer.Step"/>. Whatever happens (a bad file, an unknown name, an exception in
/// the library) becomes a failing <see cref="CaseResult"/> with its reason, never a crash.
/// </summary>
public sealed partial class ConformanceRunner
{
    // torch records scheduler-only cases on some optimizer; when the case names none, an SGD
    // carries the learning rate, which is all a scheduler reads and writes.
    private const string DefaultSchedulerOptimizer = "SGD";

    private readonly Func<string, Optimizer?> _optimizers;
    private readonly ConformanceOptions _options;

    /// <summary>Creates a runner.</summary>
    /// <param name="optimizers">Maps a reference class name (<c>SGD</c>, <c>Adam</c>, ...) to a new
    /// optimizer with the reference's defaults, or <see langword="null"/> when there is none.</param>
    /// <param name="options">The kernel path and the scheduler and clipping seams.</param>
    public ConformanceRunner(Func<string, Optimizer?> optimizers, ConformanceOptions? options = null)
    {
        _optimizers = optimizers;
        _options = options ?? new ConformanceOptions();
    }

    /// <summary>Loads and runs the case in <paramref name="path"/>.</summary>
    public CaseResult RunFile(string path) => Run(CaseLoader.LoadFile(path));

    /// <summary>Loads and runs a case from its JSON text.</summary>
    public CaseResult RunJson(string json, string fallbackName) => Run(CaseLoader.Load(json, fallbackName));

    /// <summary>Runs a loaded case.</summary>
    public CaseResult Run(ConformanceCase testCase)
    {
        string? failure;
        try
        {
            failure = testCase.Kind switch
            {
                CaseKind.Scheduler => RunSchedulerCase(testCase),
                CaseKind.Closure => RunClosureCase(testCase),
                CaseKind.Lookahead => RunLookaheadCase(testCase),
                CaseKind.ScheduleFreeModes => RunScheduleFreeModesCase(testCase),
                _ => RunOptimizerCase(testCase),
            };
        }
        catch (Exception e)
        {
            // Anything the specific handlers did not word: still a FAIL, never a crash of the run.
            failure = $"unexpected {e.GetType().Name}: {e.Message}";
        }

        return failure is null ? CaseResult.Pass(testCase.Name) : CaseResult.Fail(testCase.Name, failure);
    }

    private CaseResult Run(CaseLoadResult loaded)
        => loaded.Case is null ? CaseResult.Fail(loaded.Name, loaded.Error ?? "could not be loaded") : Run(loaded.Case);

    /// <summary>The format's loop: set the grads, clip, step, step the scheduler, compare.</summary>
    private string? RunOptimizerCase(ConformanceCase c)
    {
        string? failure = UnsupportedFeature(c);
        if (failure is not null)
        {
            return failure;
        }

        if (!TryCreateOptimizer(c.OptimizerName!, c.Hyper, out Optimizer? optimizer, out failure))
        {
            return failure;
        }

        optimizer.Path = _options.Path;

        // Attached after the hyper-parameters are set: a torch scheduler reads the initial lr when it is built.
        ICaseScheduler? scheduler = null;
        if (c.Scheduler is not null && !TryCreateScheduler(c.Scheduler, optimizer, out scheduler, out failure))
        {
            return failure;
        }

        IGradientClipper? clipper = null;
        if (c.ClipGradNorm is not null)
        {
            try
            {
                clipper = _options.Clipping!(c.ClipGradNorm, optimizer);
            }
            catch (Exception e)
            {
                return Describe(e, "creating clip_grad_norm");
            }

            if (clipper is null)
            {
                return ClippingNotSupported;
            }
        }

        CaseTensors tensors;
        int tensor = -1;
        try
        {
            tensors = CaseTensors.Register(c, optimizer, out tensor);
        }
        catch (Exception e)
        {
            return tensor < 0 ? Describe(e, "setting the state storage") : $"registering tensor {tensor} threw {e.GetType().Name}: {e.Message}";
        }

        Tolerance tolerance = Tolerance.Parameters.ForStorage(c.DTypes?.Param ?? StateStorage.Float32);
        for (int s = 0; s < c.Steps; s++)
        {
            tensors.SetGradients(c.Grads[s]);

            try
            {
                clipper?.Clip(optimizer);
            }
            catch (Exception e)
            {
                return Describe(e, $"clipping before step {s + 1}/{c.Steps}");
            }

            // The recorded lrs only say something the parameters do not when a scheduler moves them;
            // checking them first points at the scheduler rather than the optimizer.
            if (scheduler is not null && c.Lrs is not null)
            {
                failure = CompareHyperparameter(optimizer, c.OptimizerName!, "lr", "lr", s, c.Steps, c.Lrs[s]);
                if (failure is not null)
                {
                    return failure;
                }
            }

            try
            {
                optimizer.Step();
            }
            catch (Exception e)
            {
                return $"step {s + 1}/{c.Steps} threw {e.GetType().Name}: {e.Message}";
            }

            failure = StepScheduler(scheduler, null, s, c.Steps);
            if (failure is not null)
            {
                return failure;
            }

            failure = TrajectoryComparer.CompareTensors(s, c.Steps, tensors.Parameters(), c.Expected[s], tolerance);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>Registers a copy of each of the case's initial tensors, with a gradient buffer, with <paramref name="optimizer"/>.</summary>
    private static bool TryRegister(
        ConformanceCase c,
        Optimizer optimizer,
        [NotNullWhen(true)] out float[][]? parameters,
        [NotNullWhen(true)] out float[][]? gradients,
        [NotNullWhen(false)] out string? failure)
    {
        parameters = new float[c.Params.Length][];
        gradients = new float[c.Params.Length][];
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float[])c.Params[i].Clone();
            gradients[i] = new float[parameters[i].Length];
            try
            {
                optimizer.Add(parameters[i], gradients[i]);
            }
            catch (Exception e)
            {
                (parameters, gradients) = (null, null);
                failure = $"registering tensor {i} threw {e.GetType().Name}: {e.Message}";
                return false;
            }
        }

        failure = null;
        return true;
    }

    /// <summary>
    /// A scheduler alone: the learning rate (and momentum) the scheduler leaves on the optimizer
    /// before each step must match the recording; the optimizer itself has no tensors to update.
    /// </summary>
    private string? RunSchedulerCase(ConformanceCase c)
    {
        string optimizerName = c.OptimizerName ?? DefaultSchedulerOptimizer;
        string? failure = UnsupportedFeature(c);
        if (failure is not null)
        {
            return failure;
        }

        if (!TryCreateOptimizer(optimizerName, c.Hyper, out Optimizer? optimizer, out failure))
        {
            return failure;
        }

        if (!optimizer.TrySetHyperparameter("lr", c.BaseLr))
        {
            return UnknownOption("lr", optimizerName);
        }

        if (!TryCreateScheduler(c.Scheduler!, optimizer, out ICaseScheduler? scheduler, out failure))
        {
            return failure;
        }

        for (int s = 0; s < c.Steps; s++)
        {
            failure = CompareHyperparameter(optimizer, optimizerName, "lr", "lr", s, c.Steps, c.Lrs![s]);
            if (failure is null && c.Momentums is not null)
            {
                // Adam-like optimizers cycle betas[0], SGD-like ones momentum.
                string momentumName = optimizer.TryGetHyperparameter("betas[0]", out _) ? "betas[0]" : "momentum";
                failure = CompareHyperparameter(optimizer, optimizerName, momentumName, "momentum", s, c.Steps, c.Momentums[s]);
            }

            if (failure is not null)
            {
                return failure;
            }

            failure = StepScheduler(scheduler, c.Metrics?[s], s, c.Steps);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>Builds the case's scheduler through the seam; a factory's exception becomes the failure reason.</summary>
    private bool TryCreateScheduler(
        SchedulerSpec spec,
        Optimizer optimizer,
        [NotNullWhen(true)] out ICaseScheduler? scheduler,
        [NotNullWhen(false)] out string? failure)
    {
        try
        {
            scheduler = _options.Schedulers!(spec, optimizer);
        }
        catch (Exception e)
        {
            scheduler = null;
            failure = Describe(e, $"creating scheduler {spec.Name}");
            return false;
        }

        failure = scheduler is null ? SchedulerNotSupported(spec) : null;
        return scheduler is not null;
    }

    private static string? StepScheduler(ICaseScheduler? scheduler, double? metric, int step, int steps)
    {
        try
        {
            scheduler?.Step(metric);
            return null;
        }
        catch (Exception e)
        {
            return Describe(e, $"scheduler step after step {step + 1}/{steps}");
        }
    }

    /// <summary>A <see cref="CaseSetupException"/> says why the case cannot run; any other exception is reported with where it came from.</summary>
    private static string Describe(Exception e, string doing)
        => e is CaseSetupException ? e.Message : $"{doing} threw {e.GetType().Name}: {e.Message}";

    /// <summary>The parts of a case the runner has no seam filled for: checked first, as no setup can make them pass.</summary>
    private string? UnsupportedFeature(ConformanceCase c)
    {
        if (c.Scheduler is not null && _options.Schedulers is null)
        {
            return SchedulerNotSupported(c.Scheduler);
        }

        if (c.ClipGradNorm is not null && _options.Clipping is null)
        {
            return ClippingNotSupported;
        }

        return null;
    }

    /// <summary>Creates the optimizer a case names and sets the case's hyper-parameters on it.</summary>
    private bool TryCreateOptimizer(
        string name,
        IReadOnlyList<HyperSetting> hyper,
        [NotNullWhen(true)] out Optimizer? optimizer,
        [NotNullWhen(false)] out string? failure)
    {
        try
        {
            optimizer = _optimizers(name);
        }
        catch (Exception e)
        {
            optimizer = null;
            failure = $"creating optimizer {name} threw {e.GetType().Name}: {e.Message}";
            return false;
        }

        if (optimizer is null)
        {
            failure = $"unknown optimizer {name}";
            return false;
        }

        // Keys the case leaves out keep the optimizer's defaults, which are the reference's.
        foreach (HyperSetting setting in hyper)
        {
            if (!optimizer.TrySetHyperparameter(setting.Name, setting.Value))
            {
                optimizer = null;
                failure = UnknownOption(setting.Name, name);
                return false;
            }
        }

        failure = null;
        return true;
    }

    private static string? CompareHyperparameter(Optimizer optimizer, string optimizerName, string name, string what, int step, int steps, double expected)
        => optimizer.TryGetHyperparameter(name, out double actual)
            ? TrajectoryComparer.CompareValue(what, step, steps, actual, expected, Tolerance.Schedules)
            : $"optimizer {optimizerName} has no hyper-parameter {name} to read the scheduled {what} from";

    private static string UnknownOption(string name, string optimizer) => $"unknown option {name} for {optimizer}";

    private static string SchedulerNotSupported(SchedulerSpec spec) => $"scheduler {spec.Name} is not supported yet";

    private const string ClippingNotSupported = "clip_grad_norm is not supported yet";
}
