using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace KernelGen.Testing;

/// <summary>
/// Approval ("snapshot") testing with Verify's conventions, without the dependency: a test hands
/// over a text and a name; the text is compared with <c>Snapshots/&lt;name&gt;.verified.&lt;ext&gt;</c>
/// next to the test's source file. On a difference (or when there is no verified file yet) the
/// text is written to <c>&lt;name&gt;.received.&lt;ext&gt;</c> beside it and the test fails; accept a
/// change by copying the received file over the verified one, or by running the tests once with
/// the environment variable <c>KERNELGEN_ACCEPT_SNAPSHOTS=1</c>, which writes every verified file
/// and passes. Read what changed before committing it: the verified files are the review.
/// </summary>
/// <remarks>
/// Moving to Verify.Xunit is one line per call site:
/// <c>await Verifier.Verify(text, extension).UseDirectory("Snapshots").UseFileName(name);</c>.
/// Line endings are normalized to <c>\n</c> on both sides, so a checkout with CRLF still passes;
/// files are written as UTF-8 without a byte-order mark. <c>*.received.*</c> is git-ignored.
/// </remarks>
public static class Snapshot
{
    /// <summary>Set to <c>1</c> to overwrite the verified files with what the tests produce.</summary>
    public const string AcceptVariable = "KERNELGEN_ACCEPT_SNAPSHOTS";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Compares <paramref name="text"/> with the verified snapshot <paramref name="name"/>.</summary>
    /// <param name="text">What the test produced.</param>
    /// <param name="name">The snapshot's file name without extensions, e.g. <c>Adam</c>.</param>
    /// <param name="extension">The file extension without the dot: <c>cs</c> for code, <c>txt</c> by default.</param>
    /// <param name="sourceFile">Filled in by the compiler: the snapshot lives next to the calling test.</param>
    public static void Verify(string text, string name, string extension = "txt", [CallerFilePath] string sourceFile = "")
    {
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/') || name.Contains('\\'))
        {
            throw new ArgumentException($"'{name}' is not a file name.", nameof(name));
        }

        string? testDirectory = Path.GetDirectoryName(sourceFile);
        if (string.IsNullOrEmpty(testDirectory) || !Directory.Exists(testDirectory))
        {
            // The path is baked in at compile time: tests run from a build of this checkout.
            Assert.Fail($"The test's source directory '{testDirectory}' does not exist here: snapshots are read next to the test sources.");
            return;
        }

        string directory = Path.Combine(testDirectory, "Snapshots");
        string verifiedPath = Path.Combine(directory, $"{name}.verified.{extension}");
        string receivedPath = Path.Combine(directory, $"{name}.received.{extension}");
        string actual = Normalize(text);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual, Utf8);
            File.Delete(receivedPath);
            return;
        }

        string? expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            // A received file from an earlier failing run is stale now.
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, actual, Utf8);
        string accept =
            $"To accept it: copy{Environment.NewLine}  {receivedPath}{Environment.NewLine}over{Environment.NewLine}  {verifiedPath}{Environment.NewLine}" +
            $"or run the tests with {AcceptVariable}=1, then read the diff before committing.";
        Assert.Fail(expected is null
            ? $"No verified snapshot '{name}.verified.{extension}' yet; wrote the received text. {accept}"
            : $"Snapshot '{name}' differs: {FirstDifference(expected, actual)}{Environment.NewLine}{accept}");
    }

    /// <summary>Line endings become <c>\n</c>: snapshots compare the same on every OS and checkout.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    private static string FirstDifference(string expected, string actual)
    {
        string[] expectedLines = expected.Split('\n');
        string[] actualLines = actual.Split('\n');
        int count = Math.Max(expectedLines.Length, actualLines.Length);
        for (int i = 0; i < count; i++)
        {
            string? verified = i < expectedLines.Length ? expectedLines[i] : null;
            string? received = i < actualLines.Length ? actualLines[i] : null;
            if (verified != received)
            {
                return $"first difference at line {i + 1}{Environment.NewLine}" +
                       $"  verified: {Show(verified)}{Environment.NewLine}" +
                       $"  received: {Show(received)}";
            }
        }

        return "the texts differ";
    }

    private static string Show(string? line) => line is null ? "(end of file)" : "\"" + line + "\"";
}
