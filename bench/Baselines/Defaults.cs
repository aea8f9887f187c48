namespace KernelGen.Bench.Baselines;

/// <summary>
/// The hyper-parameters the hand-written baselines run with: each optimizer's defaults (torch's or
/// pytorch_optimizer's), except where <see cref="BenchProfiles"/> writes a setting. The baseline
/// check confirms them against the optimizer: a wrong constant fails before anything is timed.
/// </summary>
internal static class Defaults
{
    public static class Adagrad { public const float Lr = 1e-2f, LrDecay = 0f, InitialAccumulator = 0f, Eps = 1e-10f; }

    public static class Adadelta { public const float Lr = 1f, Rho = 0.9f, Eps = 1e-6f; }

    public static class Adamax { public const float Lr = 2e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f; }

    public static class NAdam { public const float Lr = 2e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f, MomentumDecay = 4e-3f; }

    public static class RAdam { public const float Lr = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f; }

    public static class RMSprop { public const float Lr = 1e-2f, Alpha = 0.99f, Eps = 1e-8f; }

    public static class Rprop { public const float Lr = 1e-2f, EtaMinus = 0.5f, EtaPlus = 1.2f, MinStep = 1e-6f, MaxStep = 50f; }

    public static class ASGD { public const float Lr = 1e-2f, Lambda = 1e-4f, Alpha = 0.75f, T0 = 1e6f; }

    public static class AdaBelief { public const float Lr = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-16f; }

    public static class Lion { public const float Lr = 1e-4f, Beta1 = 0.9f, Beta2 = 0.99f; }

    public static class Adan { public const float Lr = 1e-3f, Beta1 = 0.98f, Beta2 = 0.92f, Beta3 = 0.99f, Eps = 1e-8f; }

    public static class Yogi { public const float Lr = 1e-2f, Beta1 = 0.9f, Beta2 = 0.999f, InitialAccumulator = 1e-6f, Eps = 1e-3f; }

    public static class MADGRAD { public const float Lr = 1e-3f, Momentum = 0.9f, Eps = 1e-6f; }

    public static class ADOPT { public const float Lr = 1e-3f, Beta1 = 0.9f, Beta2 = 0.9999f, Eps = 1e-6f; }

    public static class ScheduleFreeAdamW { public const float Lr = 2.5e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f; }

    public static class ScheduleFreeSGD { public const float Lr = 1f, Momentum = 0.9f; }

    public static class Lamb { public const float Lr = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-6f; }

    public static class LARS { public const float Lr = 1e-3f, Momentum = 0.9f, Dampening = 0f, TrustCoefficient = 1e-3f; }

    public static class NovoGrad { public const float Lr = 1e-3f, Beta1 = 0.95f, Beta2 = 0.98f, Eps = 1e-8f; }
}
