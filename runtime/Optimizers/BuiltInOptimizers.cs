using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace KernelGen;

/// <summary>The optimizers that ship with KernelGen, by their reference class names (torch.optim and pytorch_optimizer).</summary>
public static class BuiltInOptimizers
{
    private static readonly Dictionary<string, Func<Optimizer>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = static () => new SGD(),
        ["Adam"] = static () => new Adam(),
        ["AdamW"] = static () => new AdamW(),
        ["Adagrad"] = static () => new Adagrad(),
        ["Adadelta"] = static () => new Adadelta(),
        ["Adamax"] = static () => new Adamax(),
        ["NAdam"] = static () => new NAdam(),
        ["RAdam"] = static () => new RAdam(),
        ["RMSprop"] = static () => new RMSprop(),
        ["Rprop"] = static () => new Rprop(),
        ["ASGD"] = static () => new ASGD(),
        ["AdaBelief"] = static () => new AdaBelief(),
        ["Lion"] = static () => new Lion(),
        ["Adan"] = static () => new Adan(),
        ["Yogi"] = static () => new Yogi(),
        ["MADGRAD"] = static () => new MADGRAD(),
        ["ADOPT"] = static () => new ADOPT(),
        ["ScheduleFreeAdamW"] = static () => new ScheduleFreeAdamW(),
        ["ScheduleFreeSGD"] = static () => new ScheduleFreeSGD(),
        ["Lamb"] = static () => new Lamb(),
        ["LARS"] = static () => new LARS(),
        ["NovoGrad"] = static () => new NovoGrad(),
    };

    /// <summary>The names <see cref="TryCreate"/> knows.</summary>
    public static IEnumerable<string> Names => Factories.Keys;

    /// <summary>Creates a built-in optimizer with its default hyper-parameters (case-insensitive name).</summary>
    public static bool TryCreate(string name, [NotNullWhen(true)] out Optimizer? optimizer)
    {
        optimizer = Factories.TryGetValue(name, out Func<Optimizer>? factory) ? factory() : null;
        return optimizer is not null;
    }
}
