using System;
using System.Collections.Generic;
using System.Reflection;

namespace KernelGen.Disasm;

/// <summary>
/// Creates the optimizer a <see cref="ProbeCase"/> names: a built-in by its name, or a class of
/// a user's assembly (given with <c>--assembly</c>) by its full or simple name.
/// </summary>
internal sealed class OptimizerResolver(Assembly? userAssembly)
{
    /// <summary>Creates and configures the case's optimizer.</summary>
    /// <exception cref="ArgumentException">Unknown optimizer or hyper-parameter.</exception>
    public Optimizer Create(ProbeCase probeCase)
    {
        Optimizer optimizer = Find(probeCase.Optimizer);
        foreach (KeyValuePair<string, double> setting in probeCase.Settings)
        {
            if (setting.Key == nameof(Optimizer.GradientScale))
            {
                optimizer.GradientScale = (float)setting.Value; // loss scaling: the loops' unscale flag
                continue;
            }

            if (!optimizer.TrySetHyperparameter(setting.Key, setting.Value))
            {
                throw new ArgumentException($"{probeCase.Optimizer} has no hyper-parameter '{setting.Key}'.");
            }
        }

        return optimizer;
    }

    /// <summary>The optimizer class a case names, for reading its generated loops by reflection.</summary>
    public Type FindType(string name) => Find(name).GetType();

    private Optimizer Find(string name)
    {
        if (BuiltInOptimizers.TryCreate(name, out Optimizer? builtIn))
        {
            return builtIn;
        }

        if (userAssembly is null)
        {
            throw new ArgumentException($"'{name}' is not a built-in optimizer ({string.Join(", ", BuiltInOptimizers.Names)}); use --assembly for others.");
        }

        Type? type = userAssembly.GetType(name) ?? FindBySimpleName(userAssembly, name);
        return type is not null && typeof(Optimizer).IsAssignableFrom(type) && Activator.CreateInstance(type) is Optimizer optimizer
            ? optimizer
            : throw new ArgumentException($"{userAssembly.GetName().Name} has no optimizer class '{name}'.");
    }

    private static Type? FindBySimpleName(Assembly assembly, string name)
    {
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            // A user assembly may reference what this tool does not ship (a test framework, ...):
            // the optimizer classes themselves only need KernelGen.
            types = ex.Types;
        }

        foreach (Type? type in types)
        {
            if (type is not null && type.Name == name && typeof(Optimizer).IsAssignableFrom(type))
            {
                return type;
            }
        }

        return null;
    }
}
