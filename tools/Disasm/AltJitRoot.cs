using System;
using System.IO;

namespace KernelGen.Disasm;

/// <summary>
/// A private dotnet root with the ARM64 alternate JIT inside its runtime folder: the runtime loads
/// an alternate JIT only from the folder it runs from, and the installed one must stay untouched.
/// It holds copies of <c>dotnet</c>, <c>host/</c> and <c>shared/Microsoft.NETCore.App/VERSION/</c>
/// (about 80 MB), is built once per version under tools/Disasm's <c>obj/altjit-root/</c> (or the temp
/// folder) and reused by every later run.
/// </summary>
public sealed class AltJitRoot
{
    private const string CompleteMarker = ".complete";

    // Threads of one process (tests running in parallel) make the root one at a time.
    private static readonly object Gate = new();

    private AltJitRoot(string root, AltJitPackage package)
    {
        Root = root;
        Package = package;
    }

    /// <summary>The private root's folder (<c>DOTNET_ROOT</c> of the probe).</summary>
    public string Root { get; }

    /// <summary>The package the root was made from.</summary>
    public AltJitPackage Package { get; }

    /// <summary>The private root's <c>dotnet</c> executable.</summary>
    public string DotnetPath => Path.Combine(Root, "dotnet");

    /// <summary>Returns the cached root for the package's version, making it first if needed.</summary>
    public static AltJitRoot Prepare(AltJitPackage package)
    {
        lock (Gate)
        {
            return PrepareLocked(package);
        }
    }

    private static AltJitRoot PrepareLocked(AltJitPackage package)
    {
        string cache = CacheFolder();
        string root = Path.Combine(cache, package.Version);
        if (File.Exists(Path.Combine(root, CompleteMarker)))
        {
            return new AltJitRoot(root, package);
        }

        // Built aside and moved in one step, so a concurrent run (tests and a user's disasm) never
        // sees half a root; whoever moves second drops its copy.
        string staging = Path.Combine(cache, $"{package.Version}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        File.Copy(Path.Combine(package.HostRoot, "dotnet"), Path.Combine(Directory.CreateDirectory(staging).FullName, "dotnet"));
        CopyFolder(Path.Combine(package.HostRoot, "host"), Path.Combine(staging, "host"));
        string runtime = Path.Combine(staging, "shared", "Microsoft.NETCore.App", package.Version);
        CopyFolder(package.RuntimeFolder, runtime);
        File.Copy(package.JitPath, Path.Combine(runtime, AltJitPackage.JitFileName));
        File.WriteAllText(Path.Combine(staging, CompleteMarker), package.JitPath + Environment.NewLine);

        try
        {
            if (Directory.Exists(root) && !File.Exists(Path.Combine(root, CompleteMarker)))
            {
                Directory.Delete(root, recursive: true); // left by an interrupted run
            }

            Directory.Move(staging, root);
        }
        catch (IOException) when (File.Exists(Path.Combine(root, CompleteMarker)))
        {
            Directory.Delete(staging, recursive: true); // another process finished first
        }

        return new AltJitRoot(root, package);
    }

    private static string CacheFolder()
    {
        string? configured = AltJitPackage.Metadata("AltJitRootCache");
        if (configured is { Length: > 0 })
        {
            try
            {
                return Directory.CreateDirectory(configured).FullName;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The tool was built elsewhere or its obj/ is read-only: use the temp folder.
            }
        }

        return Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "kernelgen-altjit-root")).FullName;
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (string folder in Directory.EnumerateDirectories(source))
        {
            CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }
}
