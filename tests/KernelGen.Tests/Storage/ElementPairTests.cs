using System;
using System.Runtime.Intrinsics;
using KernelGen.Internal;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>
/// The paired loads and stores of the storage types (two vectors of even and odd elements, which the
/// stored loops use when every buffer is 16-bit) give, element by element, what the single-element
/// load and store give, for each width, on the conversion tests' edges and random floats.
/// </summary>
public class ElementPairTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void PairsLoadAndStoreTheElementsTheSingleAccessesDo(int width)
    {
        Check<Float32Storage>(width, sizeof(float));
        Check<BFloat16Storage>(width, sizeof(ushort));
        Check<Float16Storage>(width, sizeof(ushort));
    }

    [Fact]
    public void OnlyTheSixteenBitTypesPairInWords()
    {
        Assert.False(Float32Storage.PairsInWords);
        Assert.True(BFloat16Storage.PairsInWords);
        Assert.True(Float16Storage.PairsInWords);
    }

    private static void Check<TStorage>(int width, int elementSize)
        where TStorage : IElementStorage
    {
        float[] values = ConversionTests.TestValues();
        int lanes = width / 32;
        int count = values.Length / (2 * lanes) * (2 * lanes);
        var expected = new byte[count * elementSize];
        var actual = new byte[count * elementSize];
        for (int i = 0; i < count; i++)
        {
            TStorage.Store(values[i], ref expected[0], (nuint)i);
        }

        var even = new float[lanes];
        var odd = new float[lanes];
        for (int i = 0; i < count; i += 2 * lanes)
        {
            for (int j = 0; j < lanes; j++)
            {
                even[j] = values[i + 2 * j];
                odd[j] = values[i + 2 * j + 1];
            }

            StorePair<TStorage>(width, even, odd, actual, i);
        }

        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{typeof(TStorage).Name}.StorePair{width} stores other bits than Store");
        for (int i = 0; i < count; i += 2 * lanes)
        {
            LoadPair<TStorage>(width, expected, i, even, odd);
            for (int j = 0; j < lanes; j++)
            {
                Assert.Equal(Bits(TStorage.Load(ref expected[0], (nuint)(i + 2 * j))), Bits(even[j]));
                Assert.Equal(Bits(TStorage.Load(ref expected[0], (nuint)(i + 2 * j + 1))), Bits(odd[j]));
            }
        }
    }

    private static void StorePair<TStorage>(int width, float[] even, float[] odd, byte[] buffer, int index)
        where TStorage : IElementStorage
    {
        switch (width)
        {
            case 128:
                TStorage.StorePair128(Vector128.Create(even), Vector128.Create(odd), ref buffer[0], (nuint)index);
                break;
            case 256:
                TStorage.StorePair256(Vector256.Create(even), Vector256.Create(odd), ref buffer[0], (nuint)index);
                break;
            default:
                TStorage.StorePair512(Vector512.Create(even), Vector512.Create(odd), ref buffer[0], (nuint)index);
                break;
        }
    }

    private static void LoadPair<TStorage>(int width, byte[] buffer, int index, float[] even, float[] odd)
        where TStorage : IElementStorage
    {
        switch (width)
        {
            case 128:
                TStorage.LoadPair128(ref buffer[0], (nuint)index, out Vector128<float> e128, out Vector128<float> o128);
                e128.CopyTo(even);
                o128.CopyTo(odd);
                break;
            case 256:
                TStorage.LoadPair256(ref buffer[0], (nuint)index, out Vector256<float> e256, out Vector256<float> o256);
                e256.CopyTo(even);
                o256.CopyTo(odd);
                break;
            default:
                TStorage.LoadPair512(ref buffer[0], (nuint)index, out Vector512<float> e512, out Vector512<float> o512);
                e512.CopyTo(even);
                o512.CopyTo(odd);
                break;
        }
    }

    private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);
}
