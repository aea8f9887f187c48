#if !NET
// .NET Standard 2.1 (Unity, Mono) lacks some of .NET's helpers the runtime calls: each is given here
// with .NET's behaviour, for that build only, so the code above it reads the same on every target.
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace System.Runtime.CompilerServices
{
    /// <summary>Lets records and <c>init</c> accessors compile.</summary>
    internal static class IsExternalInit
    {
    }

    /// <summary>Lets the argument checks name the argument.</summary>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    internal sealed class CallerArgumentExpressionAttribute(string parameterName) : Attribute
    {
        public string ParameterName { get; } = parameterName;
    }
}

namespace System.Diagnostics.CodeAnalysis
{
    /// <summary>Lets the trimming annotations of the .NET builds compile; .NET Standard has no trimmer to read them.</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.ReturnValue | AttributeTargets.GenericParameter | AttributeTargets.Method, Inherited = false)]
    internal sealed class DynamicallyAccessedMembersAttribute(DynamicallyAccessedMemberTypes memberTypes) : Attribute
    {
        public DynamicallyAccessedMemberTypes MemberTypes { get; } = memberTypes;
    }

    /// <summary>The member kinds <see cref="DynamicallyAccessedMembersAttribute"/> names (the values .NET gives them).</summary>
    [Flags]
    internal enum DynamicallyAccessedMemberTypes
    {
        None = 0,
        PublicMethods = 0x0008,
        NonPublicMethods = 0x0010,
    }

    /// <summary>Lets a struct return a reference to its own field (the gradient clipping's lanes).</summary>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    internal sealed class UnscopedRefAttribute : Attribute
    {
    }
}

namespace System.Linq
{
    internal static class OrderPolyfill
    {
        /// <summary><c>OrderBy(x =&gt; x)</c>, as .NET 7's <c>Order</c>.</summary>
        public static IOrderedEnumerable<T> Order<T>(this IEnumerable<T> source) => source.OrderBy(x => x);

        /// <summary><c>OrderBy(x =&gt; x, comparer)</c>, as .NET 7's <c>Order</c>.</summary>
        public static IOrderedEnumerable<T> Order<T>(this IEnumerable<T> source, IComparer<T>? comparer) => source.OrderBy(x => x, comparer);
    }
}

namespace KernelGen.Internal
{
    /// <summary>Compares references, not values (.NET 5's <c>ReferenceEqualityComparer</c>).</summary>
    internal sealed class ReferenceEqualityComparer : IEqualityComparer<object?>
    {
        public static ReferenceEqualityComparer Instance { get; } = new();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object? obj) => RuntimeHelpers.GetHashCode(obj!);
    }

}

/// <summary>.NET's static helpers as extension members, in the global namespace so every file sees them.</summary>
internal static class Polyfills
{
    extension(ArgumentNullException)
    {
        public static void ThrowIfNull([NotNull] object? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        {
            if (argument is null)
            {
                throw new ArgumentNullException(paramName);
            }
        }
    }

    extension(ArgumentException)
    {
        public static void ThrowIfNullOrEmpty([NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        {
            ArgumentNullException.ThrowIfNull(argument, paramName);
            if (argument.Length == 0)
            {
                throw new ArgumentException("The value cannot be an empty string.", paramName);
            }
        }
    }

    extension(ArgumentOutOfRangeException)
    {
        public static void ThrowIfNegative(int value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-negative value.");
            }
        }

        public static void ThrowIfZero(int value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        {
            if (value == 0)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-zero value.");
            }
        }

        public static void ThrowIfNegativeOrZero(int value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        {
            if (value <= 0)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be a non-negative and non-zero value.");
            }
        }

        public static void ThrowIfLessThan(int value, int other, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        {
            if (value < other)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be greater than or equal to '{other}'.");
            }
        }

        public static void ThrowIfGreaterThan(int value, int other, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        {
            if (value > other)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be less than or equal to '{other}'.");
            }
        }

        public static void ThrowIfGreaterThanOrEqual(int value, int other, [CallerArgumentExpression(nameof(value))] string? paramName = null)
        {
            if (value >= other)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be less than '{other}'.");
            }
        }
    }

    extension(BinaryPrimitives)
    {
        public static float ReadSingleLittleEndian(ReadOnlySpan<byte> source) =>
            BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(source));

        public static void WriteSingleLittleEndian(Span<byte> destination, float value) =>
            BinaryPrimitives.WriteInt32LittleEndian(destination, BitConverter.SingleToInt32Bits(value));
    }

    extension(char)
    {
        public static bool IsAsciiLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');
    }

    extension(Enum)
    {
        public static bool IsDefined<TEnum>(TEnum value)
            where TEnum : struct, Enum => Enum.IsDefined(typeof(TEnum), value);

        public static string[] GetNames<TEnum>()
            where TEnum : struct, Enum => Enum.GetNames(typeof(TEnum));
    }

    extension(MemoryMarshal)
    {
        /// <summary>A reference to the first element (an array of none: where it would be).</summary>
        public static ref T GetArrayDataReference<T>(T[] array) => ref MemoryMarshal.GetReference(array.AsSpan());
    }

    extension(BitConverter)
    {
        public static uint SingleToUInt32Bits(float value) => unchecked((uint)BitConverter.SingleToInt32Bits(value));

        public static float UInt32BitsToSingle(uint value) => BitConverter.Int32BitsToSingle(unchecked((int)value));
    }

    extension<T>(ReadOnlySpan<T> span)
        where T : IEquatable<T>
    {
        /// <summary>Whether any element is not <paramref name="value"/> (by <see cref="IEquatable{T}.Equals(T)"/>).</summary>
        public bool ContainsAnyExcept(T value)
        {
            // By reference: under Mono a .NET Standard build's ReadOnlySpan indexer and foreach do
            // not bind (ReadOnlySpanItems).
            ref T first = ref MemoryMarshal.GetReference(span);
            for (int i = 0; i < span.Length; i++)
            {
                if (!Unsafe.Add(ref first, i).Equals(value))
                {
                    return true;
                }
            }

            return false;
        }
    }

    extension(Array)
    {
        /// <summary>The most elements an array holds (.NET's <c>Array.MaxLength</c>).</summary>
        public static int MaxLength => 0x7FFFFFC7;

        public static void Clear(Array array) => Array.Clear(array, 0, array.Length);
    }

    extension(File)
    {
        public static void Move(string sourceFileName, string destFileName, bool overwrite)
        {
            if (overwrite)
            {
                // Replace is atomic where the platform allows; a missing destination has nothing to replace.
                if (File.Exists(destFileName))
                {
                    File.Replace(sourceFileName, destFileName, null);
                    return;
                }
            }

            File.Move(sourceFileName, destFileName);
        }
    }

    extension(MathF)
    {
        /// <summary>The magnitude of <paramref name="x"/> with the sign bit of <paramref name="y"/>, as .NET's.</summary>
        public static float CopySign(float x, float y) =>
            BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(x) & int.MaxValue) | (BitConverter.SingleToInt32Bits(y) & int.MinValue));

        public static float FusedMultiplyAdd(float x, float y, float z) => throw FusedMultiplyAddMissing();
    }

    extension(Math)
    {
        public static double CopySign(double x, double y) =>
            BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(x) & long.MaxValue) | (BitConverter.DoubleToInt64Bits(y) & long.MinValue));

        public static double FusedMultiplyAdd(double x, double y, double z) => throw FusedMultiplyAddMissing();
    }

    /// <summary>
    /// .NET Standard 2.1 has no fused multiply-add, and a multiply then an add rounds twice: a
    /// rule that fuses needs a .NET build (the language's C# form, MathF.FusedMultiplyAdd, does
    /// not compile on .NET Standard either).
    /// </summary>
    private static NotSupportedException FusedMultiplyAddMissing() =>
        new("MathF.FusedMultiplyAdd needs .NET: .NET Standard 2.1 has no fused multiply-add with one rounding.");

    extension(Stream stream)
    {
        public int ReadAtLeast(Span<byte> buffer, int minimumBytes, bool throwOnEndOfStream = true)
        {
            int total = 0;
            while (total < minimumBytes)
            {
                int read = stream.Read(buffer.Slice(total));
                if (read == 0)
                {
                    if (throwOnEndOfStream)
                    {
                        throw new EndOfStreamException();
                    }

                    break;
                }

                total += read;
            }

            return total;
        }
    }
}
#endif
