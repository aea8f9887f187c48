using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace KernelGen.Disasm;

/// <summary>
/// The ARM64 alternate JIT as restore left it: <c>tools/libclrjit_universal_arm64_x64.so</c> of the
/// package <c>runtime.linux-x64.Microsoft.DotNet.ILCompiler</c> (a <c>PackageDownload</c> of
/// tools/Disasm, version <c>ArmAltJitPackageVersion</c>), and the installed runtime of the same version it
/// will be loaded into. Locating it only looks at files, so tests can ask at discovery time.
/// </summary>
public sealed record AltJitPackage(string JitPath, string Version, string HostRoot)
{
    /// <summary>The alternate JIT's file name, which <c>DOTNET_AltJitName</c> names.</summary>
    public const string JitFileName = "libclrjit_universal_arm64_x64.so";

    /// <summary>The shared framework folder of the runtime the JIT matches.</summary>
    public string RuntimeFolder => Path.Combine(HostRoot, "shared", "Microsoft.NETCore.App", Version);

    /// <summary>Finds the package and a runtime to load it into, or says why there is none.</summary>
    public static AltJitPackage? TryLocate(out string reason)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            reason = $"the ARM64 alternate JIT is taken from the linux-x64 ILCompiler package; this is {RuntimeInformation.RuntimeIdentifier}.";
            return null;
        }

        string id = Metadata("ArmAltJitPackageId") ?? "runtime.linux-x64.Microsoft.DotNet.ILCompiler";
        string? version = Metadata("ArmAltJitPackageVersion");
        if (string.IsNullOrEmpty(version))
        {
            reason = "tools/Disasm was built without ArmAltJitPackageVersion (see Directory.Packages.props).";
            return null;
        }

        string? jit = PackageRoots()
            .Select(root => Path.Combine(root, id.ToLowerInvariant(), version, "tools", JitFileName))
            .FirstOrDefault(File.Exists);
        if (jit is null)
        {
            reason = $"{id} {version} is not in the NuGet packages folder ({string.Join(", ", PackageRoots())}); " +
                "restore tools/Disasm (dotnet restore tools/Disasm) with access to a feed that has it.";
            return null;
        }

        string hostRoot = RunningHostRoot();
        var package = new AltJitPackage(jit, version, hostRoot);
        if (!File.Exists(Path.Combine(hostRoot, "dotnet")) || !Directory.Exists(Path.Combine(hostRoot, "host")))
        {
            reason = $"no dotnet host next to the running runtime (looked in {hostRoot}).";
            return null;
        }

        if (!Directory.Exists(package.RuntimeFolder))
        {
            reason = $"the alternate JIT is {version} and only loads into that runtime, which is not installed in {hostRoot} " +
                "(set ArmAltJitPackageVersion in Directory.Packages.props to an installed runtime's version).";
            return null;
        }

        reason = "";
        return package;
    }

    /// <summary>The dotnet root of the running runtime: three folders above its System.Private.CoreLib.</summary>
    public static string RunningHostRoot() =>
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>A value the build wrote into this assembly (see KernelGen.Disasm.csproj).</summary>
    internal static string? Metadata(string key) =>
        typeof(AltJitPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;

    // NUGET_PACKAGES wins, as in restore; then the folder restore used for this build; then NuGet's default.
    private static IEnumerable<string> PackageRoots()
    {
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnvironment)
        {
            roots.Add(fromEnvironment);
        }

        if (Metadata("NuGetPackageRoot") is { Length: > 0 } fromBuild)
        {
            roots.Add(fromBuild);
        }

        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        return roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal);
    }
}
