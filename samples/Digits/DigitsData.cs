using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace KernelGen.Samples.Digits;

/// <summary>The UCI digits: 1797 8x8 images scaled to [0, 1], split once, deterministically.</summary>
public sealed class DigitsData
{
    public const int Features = 64;
    public const int Classes = 10;

    private DigitsData(float[] trainX, int[] trainY, float[] testX, int[] testY)
    {
        TrainX = trainX;
        TrainY = trainY;
        TestX = testX;
        TestY = testY;
    }

    public float[] TrainX { get; }

    public int[] TrainY { get; }

    public float[] TestX { get; }

    public int[] TestY { get; }

    public int TrainCount => TrainY.Length;

    public int TestCount => TestY.Length;

    /// <summary>Reads the gzipped CSV next to the program; 20% of the rows (shuffled with a fixed seed) are held out.</summary>
    public static DigitsData Load(string path, int seed = 0)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = new System.Collections.Generic.List<(float[] X, int Y)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != Features + 1)
            {
                throw new InvalidDataException($"Row {rows.Count + 1} has {fields.Length} fields, expected {Features + 1}.");
            }

            var x = new float[Features];
            for (int i = 0; i < Features; i++)
            {
                x[i] = float.Parse(fields[i], CultureInfo.InvariantCulture) / 16f;
            }

            rows.Add((x, int.Parse(fields[Features], CultureInfo.InvariantCulture)));
        }

        var random = new Random(seed);
        for (int i = rows.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }

        int test = rows.Count / 5;
        int train = rows.Count - test;
        var trainX = new float[train * Features];
        var trainY = new int[train];
        var testX = new float[test * Features];
        var testY = new int[test];
        for (int i = 0; i < rows.Count; i++)
        {
            bool isTrain = i < train;
            int index = isTrain ? i : i - train;
            rows[i].X.CopyTo((isTrain ? trainX : testX).AsSpan(index * Features));
            (isTrain ? trainY : testY)[index] = rows[i].Y;
        }

        return new DigitsData(trainX, trainY, testX, testY);
    }
}
