using System;
using System.Runtime.InteropServices;
using KernelGen.Distributed;

namespace KernelGen.Samples.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over MPI, through MPI.NET on MPICH: the all-gather is
/// <c>MPI_Allgatherv</c> (MPI.NET's <c>AllgatherFlattened</c>) on primitive float arrays.
/// </summary>
/// <remarks>
/// MPI.NET calls <c>msmpi.dll</c>, Microsoft MPI, whose ABI (integer handles, the same constants)
/// is MPICH's; on Linux the import is pointed at MPICH's <c>libmpich.so.12</c> (Debian's
/// <c>libmpich12</c>). Open MPI's ABI differs and does not work. MPI.NET's paths for objects use
/// BinaryFormatter, which .NET 10 removed, so only arrays of primitives cross it here.
/// </remarks>
public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    private readonly MPI.Environment _environment;
    private readonly MPI.Intracommunicator _world;
    private float[] _send = Array.Empty<float>();
    private float[] _receive = Array.Empty<float>();
    private int[] _counts = Array.Empty<int>();

    /// <summary>Starts MPI (MPI_Init); <see cref="Dispose"/> ends it.</summary>
    public MpiCommunicator(ref string[] args)
    {
        UseMpich();
        _environment = new MPI.Environment(ref args);
        _world = MPI.Communicator.world;
    }

    /// <inheritdoc/>
    public int Rank => _world.Rank;

    /// <inheritdoc/>
    public int WorldSize => _world.Size;

    /// <inheritdoc/>
    public void AllGather(ReadOnlySpan<float> local, Span<float> gathered, ReadOnlySpan<int> counts)
    {
        Collectives.CheckGather(this, local, gathered, counts);

        // MPI.NET takes arrays: exact-length ones, kept between calls of the same shape.
        if (_send.Length != local.Length)
        {
            _send = new float[local.Length];
        }

        if (_receive.Length != gathered.Length)
        {
            _receive = new float[gathered.Length];
        }

        if (_counts.Length != counts.Length)
        {
            _counts = new int[counts.Length];
        }

        local.CopyTo(_send);
        counts.CopyTo(_counts);
        _world.AllgatherFlattened(_send, _counts, ref _receive);
        _receive.CopyTo(gathered);
    }

    /// <summary>Every rank's <paramref name="value"/>, in rank order (for reports).</summary>
    public long[] AllGather(long value) => _world.Allgather(value);

    /// <inheritdoc/>
    public void Dispose() => _environment.Dispose();

    /// <summary>Resolves MPI.NET's <c>msmpi.dll</c> to MPICH on Linux.</summary>
    private static void UseMpich()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(MPI.Communicator).Assembly, static (name, assembly, path) =>
            name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) && NativeLibrary.TryLoad("libmpich.so.12", out IntPtr handle)
                ? handle
                : IntPtr.Zero);
    }

    /// <summary>Whether the MPI library can be loaded (MPICH installed).</summary>
    public static bool Available => !OperatingSystem.IsLinux() || NativeLibrary.TryLoad("libmpich.so.12", out _);

}
