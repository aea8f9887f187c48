using System;
using System.Diagnostics;
using System.IO;
using System.ComponentModel;
using System.Runtime.InteropServices;
using KernelGen.Bench.Baselines;

namespace KernelGen.Bench.Native;

/// <summary>
/// The C compiler's build of the same fused loops (peer.c, embedded in this assembly): compiled
/// once per run into a temporary folder with <see cref="Flags"/>, loaded, and bound to a tensor's
/// buffers like any other contender. Only AdamW and SGD with momentum have a peer, and only with
/// the settings the C loops implement; AdamW also with bfloat16 states, and with every buffer in
/// bfloat16 (<see cref="BindStoredAdamW"/>).
/// </summary>
public sealed unsafe class NativePeer
{
    /// <summary>The flags the peer is compiled with: as fast as gcc makes it without changing a bit of the results.</summary>
    public const string Flags = "-O3 -march=native -fno-math-errno -ffp-contract=off -shared -fPIC";

    /// <summary>The environment variable naming the compiler; set to a path that does not exist, it hides every compiler.</summary>
    public const string CompilerVariable = "CC";

    private readonly delegate* unmanaged<float*, float*, float*, float*, nint, float, float, float, float, float, int, void> _adamW;
    private readonly delegate* unmanaged<float*, float*, float*, nint, float, float, float, int, void> _sgd;
    private readonly delegate* unmanaged<float*, float*, ushort*, ushort*, nint, float, float, float, float, float, int, void> _adamWStatesBFloat16;
    private readonly delegate* unmanaged<ushort*, ushort*, ushort*, ushort*, nint, float, float, float, float, float, int, void> _adamWAllBFloat16;

    private NativePeer(string compiler, nint library)
    {
        Compiler = compiler;
        _adamW = (delegate* unmanaged<float*, float*, float*, float*, nint, float, float, float, float, float, int, void>)
            NativeLibrary.GetExport(library, "kernelgen_peer_adamw");
        _sgd = (delegate* unmanaged<float*, float*, float*, nint, float, float, float, int, void>)
            NativeLibrary.GetExport(library, "kernelgen_peer_sgd");
        _adamWStatesBFloat16 = (delegate* unmanaged<float*, float*, ushort*, ushort*, nint, float, float, float, float, float, int, void>)
            NativeLibrary.GetExport(library, "kernelgen_peer_adamw_states_bf16");
        _adamWAllBFloat16 = (delegate* unmanaged<ushort*, ushort*, ushort*, ushort*, nint, float, float, float, float, float, int, void>)
            NativeLibrary.GetExport(library, "kernelgen_peer_adamw_all_bf16");
    }

    /// <summary>
    /// One step of a stored peer on AdamW's buffers as bytes, each in its storage type, with the step
    /// count (1 on the first call).
    /// </summary>
    public delegate void StoredStep(Span<byte> parameter, Span<byte> gradient, Span<byte> expAvg, Span<byte> expAvgSq, int step);

    /// <summary>The compiler that built the peer, as found.</summary>
    public string Compiler { get; }

    /// <summary>
    /// Finds a C compiler (<c>$CC</c> when set, else <c>cc</c> or <c>gcc</c> on the PATH), compiles
    /// peer.c and loads it. Returns <see langword="null"/> and says why in <paramref name="reason"/>
    /// when there is no compiler or the build fails: the table then runs without the peer.
    /// </summary>
    public static NativePeer? TryBuild(out string reason) =>
        TryBuild(Environment.GetEnvironmentVariable(CompilerVariable), Environment.GetEnvironmentVariable("PATH"), out reason);

    /// <summary>As <see cref="TryBuild(out string)"/>, with the values of <c>CC</c> and <c>PATH</c> given.</summary>
    public static NativePeer? TryBuild(string? compilerVariable, string? searchPath, out string reason)
    {
        string? compiler = FindCompiler(compilerVariable, searchPath);
        if (compiler is null)
        {
            reason = string.IsNullOrEmpty(compilerVariable)
                ? "no C compiler on the PATH (cc, gcc)"
                : $"no C compiler: {CompilerVariable}={compilerVariable} does not exist";
            return null;
        }

        DirectoryInfo folder = Directory.CreateTempSubdirectory("kernelgen-peer-");
        try
        {
            string source = Path.Combine(folder.FullName, "peer.c");
            using (Stream embedded = typeof(NativePeer).Assembly.GetManifestResourceStream("peer.c")
                ?? throw new InvalidOperationException("peer.c is not embedded in the bench assembly."))
            using (FileStream file = File.Create(source))
            {
                embedded.CopyTo(file);
            }

            string library = Path.Combine(folder.FullName, LibraryName());
            string? failure;
            try
            {
                failure = Compile(compiler, source, library);
            }
            catch (Win32Exception e)
            {
                failure = e.Message;
            }

            if (failure is not null)
            {
                reason = $"{compiler} could not build the peer: {failure}";
                return null;
            }

            try
            {
                var peer = new NativePeer(compiler, NativeLibrary.Load(library));
                reason = $"{compiler} {Flags}";
                return peer;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
            {
                reason = $"the peer {compiler} built does not load: {e.Message}";
                return null;
            }
        }
        finally
        {
            // A loaded library stays mapped after its file is gone (where the OS refuses, the temp folder keeps it).
            try
            {
                folder.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// The peer's step on <paramref name="arrays"/> with <paramref name="optimizer"/>'s settings,
    /// or <see langword="null"/> when the optimizer or its settings have no peer.
    /// </summary>
    public Action<int>? Bind(TensorArrays arrays, Optimizer optimizer) => optimizer switch
    {
        AdamW { Amsgrad: false, Maximize: false } adamW => BindAdamW(arrays, adamW),
        SGD { Momentum: > 0f, Nesterov: false, Maximize: false, WeightDecay: 0f } sgd => BindSgd(arrays, sgd),
        _ => null,
    };

    private Action<int> BindAdamW(TensorArrays arrays, AdamW adamW)
    {
        int expAvg = arrays.StateIndex("expAvg");
        int expAvgSq = arrays.StateIndex("expAvgSq");
        var adamWStep = _adamW;
        return step =>
        {
            fixed (float* param = arrays.Param)
            fixed (float* grad = arrays.Grad)
            fixed (float* m = arrays.State(expAvg))
            fixed (float* v = arrays.State(expAvgSq))
            {
                adamWStep(param, grad, m, v, arrays.Length, adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay, step);
            }
        };
    }

    private Action<int> BindSgd(TensorArrays arrays, SGD sgd)
    {
        int momentumBuffer = arrays.StateIndex("momentumBuffer");
        var sgdStep = _sgd;
        return step =>
        {
            fixed (float* param = arrays.Param)
            fixed (float* grad = arrays.Grad)
            fixed (float* buffer = arrays.State(momentumBuffer))
            {
                sgdStep(param, grad, buffer, arrays.Length, sgd.LearningRate, sgd.Momentum, sgd.Dampening, step);
            }
        };
    }

    /// <summary>
    /// The peer's AdamW step for a tensor whose parameter, gradient and states are stored as
    /// <paramref name="parameter"/>, <paramref name="gradient"/> and <paramref name="states"/>, with
    /// <paramref name="adamW"/>'s settings; <see langword="null"/> when the combination or the
    /// settings have no peer. There are two: bfloat16 states beside a float32 parameter and
    /// gradient, and everything in bfloat16.
    /// </summary>
    public StoredStep? BindStoredAdamW(AdamW adamW, StateStorage parameter, StateStorage gradient, StateStorage states)
    {
        if (adamW is not { Amsgrad: false, Maximize: false } || states != StateStorage.BFloat16)
        {
            return null;
        }

        var statesBFloat16 = _adamWStatesBFloat16;
        var allBFloat16 = _adamWAllBFloat16;
        return (parameter, gradient) switch
        {
            (StateStorage.Float32, StateStorage.Float32) => (p, g, m, v, step) =>
            {
                nint length = StoredLength(g, sizeof(float), p, sizeof(float), m, v);
                fixed (byte* param = p, grad = g, expAvg = m, expAvgSq = v)
                {
                    statesBFloat16((float*)param, (float*)grad, (ushort*)expAvg, (ushort*)expAvgSq, length,
                        adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay, step);
                }
            },
            (StateStorage.BFloat16, StateStorage.BFloat16) => (p, g, m, v, step) =>
            {
                nint length = StoredLength(g, sizeof(ushort), p, sizeof(ushort), m, v);
                fixed (byte* param = p, grad = g, expAvg = m, expAvgSq = v)
                {
                    allBFloat16((ushort*)param, (ushort*)grad, (ushort*)expAvg, (ushort*)expAvgSq, length,
                        adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay, step);
                }
            },
            _ => null,
        };
    }

    /// <summary>The element count of the gradient, checked against the other buffers (the moments are bfloat16).</summary>
    /// <exception cref="ArgumentException">A buffer's length does not hold the gradient's element count.</exception>
    private static nint StoredLength(Span<byte> gradient, int gradientSize, Span<byte> parameter, int parameterSize, Span<byte> expAvg, Span<byte> expAvgSq)
    {
        int length = gradient.Length / gradientSize;
        if (gradient.Length != length * gradientSize || parameter.Length != length * parameterSize
            || expAvg.Length != length * sizeof(ushort) || expAvgSq.Length != length * sizeof(ushort))
        {
            throw new ArgumentException(
                $"The buffers do not hold one tensor: gradient {gradient.Length} B, parameter {parameter.Length} B, moments {expAvg.Length} and {expAvgSq.Length} B for {length} elements.");
        }

        return length;
    }

    /// <summary>
    /// <paramref name="compilerVariable"/> (<c>$CC</c>) when set: a path, or a name looked up on
    /// <paramref name="searchPath"/>; <see langword="null"/> when it does not exist. Else <c>cc</c>,
    /// else <c>gcc</c> on <paramref name="searchPath"/>.
    /// </summary>
    public static string? FindCompiler(string? compilerVariable, string? searchPath)
    {
        if (!string.IsNullOrEmpty(compilerVariable))
        {
            return compilerVariable.Contains(Path.DirectorySeparatorChar)
                ? (File.Exists(compilerVariable) ? compilerVariable : null)
                : OnPath(compilerVariable, searchPath);
        }

        return OnPath("cc", searchPath) ?? OnPath("gcc", searchPath);
    }

    private static string? OnPath(string name, string? searchPath)
    {
        string suffix = OperatingSystem.IsWindows() ? ".exe" : "";
        foreach (string folder in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name + suffix);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs the compiler; the last line of its error output when it fails, else <see langword="null"/>.</summary>
    private static string? Compile(string compiler, string source, string library)
    {
        var start = new ProcessStartInfo(compiler) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string flag in Flags.Split(' '))
        {
            start.ArgumentList.Add(flag);
        }

        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(library);
        start.ArgumentList.Add(source);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{compiler} did not start.");
        _ = process.StandardOutput.ReadToEndAsync(); // drained so a chatty compiler cannot block on a full pipe
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"exit code {process.ExitCode}: {errors.Trim().Split('\n')[^1]}";
    }

    private static string LibraryName() =>
        OperatingSystem.IsWindows() ? "kernelgen_peer.dll" : OperatingSystem.IsMacOS() ? "libkernelgen_peer.dylib" : "libkernelgen_peer.so";
}
