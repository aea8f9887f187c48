namespace KernelGen.Conformance;

/// <summary>
/// A learning-rate scheduler attached to the optimizer under test, as torch's schedulers are:
/// it sets the optimizer's hyper-parameters itself (at creation and in <see cref="Step"/>), and
/// the runner reads them back through <see cref="Optimizer.TryGetHyperparameter"/>.
/// </summary>
public interface ICaseScheduler
{
    /// <summary>Called once after every optimizer step, with the case's metric for that step if it has one.</summary>
    void Step(double? metric);
}

/// <summary>Gradient clipping applied to the optimizer's registered gradients before every step.</summary>
public interface IGradientClipper
{
    /// <summary>Clips the gradients of <paramref name="optimizer"/>'s tensors in place.</summary>
    void Clip(Optimizer optimizer);
}

/// <summary>Builds the scheduler a case names, attached to <paramref name="optimizer"/>; <see langword="null"/> when the name is not supported.</summary>
public delegate ICaseScheduler? SchedulerFactory(SchedulerSpec spec, Optimizer optimizer);

/// <summary>Builds the clipping a case asks for; <see langword="null"/> when it is not supported.</summary>
public delegate IGradientClipper? ClipperFactory(ClipGradNormSpec spec, Optimizer optimizer);

/// <summary>
/// How the runner runs cases. <see cref="Schedulers"/> and <see cref="Clipping"/> are the seams
/// where the library's LR schedulers and global-norm clipping plug in; while they are
/// <see langword="null"/>, cases that need them fail as "not supported yet".
/// </summary>
public sealed class ConformanceOptions
{
    /// <summary>The kernel path every optimizer runs on.</summary>
    public KernelPath Path { get; init; } = KernelPath.Auto;

    /// <summary>Builds schedulers by their torch name; <see langword="null"/>: no scheduler is supported.</summary>
    public SchedulerFactory? Schedulers { get; init; }

    /// <summary>Builds gradient clipping; <see langword="null"/>: clipping is not supported.</summary>
    public ClipperFactory? Clipping { get; init; }
}
