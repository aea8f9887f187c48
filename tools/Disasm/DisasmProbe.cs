using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace KernelGen.Disasm;

/// <summary>
/// The hidden <c>disasm-probe</c> command: the process the JIT listings are taken from. It steps
/// each case on each forced path, twice (step 1 and step 2, so a rule's <c>step == 1</c> branch
/// is compiled both ways), which makes the JIT compile exactly the loop instantiations those
/// cases use. It prints nothing on success: the listings go to the JIT's own output file.
/// </summary>
internal static class DisasmProbe
{
    /// <summary>The sub-command name; not listed in the usage text.</summary>
    public const string Command = "disasm-probe";

    private const string Usage = "disasm-probe --paths PATH[,PATH] [--assembly DLL] CASE [CASE ...]";

    // Not a multiple of 16: the vector loops run, and the scalar tail after them too.
    private const int Elements = 67;

    /// <summary>Runs the probe; exit code 0, 1 when a case failed, 2 for a usage error.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter error)
    {
        var paths = new List<KernelPath>();
        var cases = new List<ProbeCase>();
        OptimizerResolver? resolver = null;
        try
        {
            for (int i = 0; i < args.Count; i++)
            {
                switch (args[i])
                {
                    case "--paths" when i + 1 < args.Count:
                        foreach (string name in args[++i].Split(','))
                        {
                            paths.Add(Enum.Parse<KernelPath>(name, ignoreCase: true));
                        }

                        break;
                    case "--assembly" when i + 1 < args.Count:
                        resolver = new OptimizerResolver(Assembly.LoadFrom(Path.GetFullPath(args[++i])));
                        break;
                    default:
                        cases.Add(ProbeCase.Parse(args[i]));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or BadImageFormatException)
        {
            error.WriteLine($"{ex.Message}{Environment.NewLine}usage: {Usage}");
            return 2;
        }

        if (paths.Count == 0 || cases.Count == 0)
        {
            error.WriteLine($"usage: {Usage}");
            return 2;
        }

        resolver ??= new OptimizerResolver(null);
        int status = 0;
        foreach (KernelPath path in paths)
        {
            if (!KernelDispatch.IsSupported(path))
            {
                // Not an error: "disasm x64" asks for Vector512 on machines without AVX-512 too.
                error.WriteLine($"{path} is not accelerated on this machine: its loops are not compiled.");
                continue;
            }

            foreach (ProbeCase probeCase in cases)
            {
                try
                {
                    Step(resolver.Create(probeCase), path);
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
                {
                    error.WriteLine($"{probeCase} on {path}: {ex.Message}");
                    status = 1;
                }
            }
        }

        return status;
    }

    private static void Step(Optimizer optimizer, KernelPath path)
    {
        var parameter = new float[Elements];
        var gradient = new float[Elements];
        for (int i = 0; i < Elements; i++)
        {
            parameter[i] = 0.5f - i / (float)Elements;
            gradient[i] = (i % 7 - 3) * 0.125f;
        }

        optimizer.Path = path;
        optimizer.Add(parameter, gradient);

        // Seven steps: step 1 has branches of its own (state initialisation), and some rules only
        // take a branch later (RAdam rectifies from about step 6, ASGD averages from step 2 on).
        for (int step = 0; step < 7; step++)
        {
            optimizer.Step();
        }
    }
}
