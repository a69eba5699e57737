using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// The UCI optical digits (the scikit-learn <c>digits.csv.gz</c>): one row per 8 x 8 image, 64 pixel values 0..16 and then the
/// label 0..9, comma-separated, no header. A copy of the 1,797 rows ships inside KdDsl (<see cref="LoadEmbedded"/>).
/// </summary>
public static class DigitsCsv
{
    /// <summary>Pixels per image (8 x 8).</summary>
    public const int PixelCount = 64;

    /// <summary>Classes (the digits 0..9).</summary>
    public const int ClassCount = 10;

    /// <summary>Largest pixel value; features are divided by it to lie in [0, 1].</summary>
    public const float MaxPixel = 16f;

    /// <summary>Manifest name of the embedded copy.</summary>
    public const string ResourceName = "KdDsl.Data.digits.csv.gz";

    /// <summary>Reads a digits CSV file, gzip-compressed (detected by its header) or plain.</summary>
    public static LabeledDataset Load(string path)
    {
        string fullPath = Path.GetFullPath(path);
        using Stream stream = IdxFile.Open(fullPath);
        using var reader = new StreamReader(stream);
        return Parse(reader, fullPath);
    }

    /// <summary>Reads the copy of the 1,797 digits embedded in KdDsl.</summary>
    public static LabeledDataset LoadEmbedded()
    {
        Stream resource = typeof(DigitsCsv).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new DatasetException($"The resource '{ResourceName}' is missing from {typeof(DigitsCsv).Assembly.GetName().Name}; the build is broken.");
        using var reader = new StreamReader(new GZipStream(resource, CompressionMode.Decompress));
        return Parse(reader, "digits (embedded)");
    }

    /// <summary>
    /// Splits <paramref name="all"/> (on the CPU) into train and test with a deterministic, stratified shuffle: each class gives
    /// round(<paramref name="testFraction"/> x its size) samples to the test split, then both splits are shuffled.
    /// Uses <see cref="Random"/>(<paramref name="seed"/>), never torch's global generator, so the split depends only on the seed.
    /// The new splits hold copies; <paramref name="all"/> stays owned by the caller.
    /// </summary>
    public static DatasetSplits Split(LabeledDataset all, double testFraction = 0.3, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(all);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must lie strictly between 0 and 1.");

        // Sample indices grouped by class, in their original order.
        long[] labels = all.Labels.data<long>().ToArray();
        var byClass = new List<long>[all.ClassCount];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = new List<long>();
        for (long i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);

        var rng = new Random(seed);
        var train = new List<long>();
        var test = new List<long>();
        foreach (List<long> members in byClass)
        {
            Shuffle(members, rng);
            int testCount = (int)Math.Round(members.Count * testFraction, MidpointRounding.AwayFromZero);
            test.AddRange(members.GetRange(0, testCount));
            train.AddRange(members.GetRange(testCount, members.Count - testCount));
        }
        if (train.Count == 0 || test.Count == 0)
            throw new DatasetException(
                $"Data set '{all.Name}' has {all.Count} samples; a test fraction of {testFraction} leaves {train.Count} for training and {test.Count} for testing.");

        // Mix the classes so that taking the first N samples of a split gives a random subset.
        Shuffle(train, rng);
        Shuffle(test, rng);

        using Tensor trainIndices = torch.tensor(train.ToArray());
        using Tensor testIndices = torch.tensor(test.ToArray());
        LabeledDataset trainSet = all.Select(trainIndices, $"{all.Name} train");
        LabeledDataset testSet = all.Select(testIndices, $"{all.Name} test");
        return new DatasetSplits(trainSet, testSet);
    }

    // Fisher–Yates shuffle in place.
    private static void Shuffle(List<long> items, Random rng)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    // Parses every non-blank line, checking each as it goes; `source` names the file in messages.
    private static LabeledDataset Parse(TextReader reader, string source)
    {
        var pixels = new List<float>(1800 * PixelCount);
        var labels = new List<long>(1800);
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;

            string[] fields = line.Split(',');
            if (fields.Length != PixelCount + 1)
                throw Error(source, lineNumber,
                    $"expected {PixelCount + 1} comma-separated numbers ({PixelCount} pixels, then the label) but found {fields.Length} fields.");

            for (int i = 0; i < PixelCount; i++)
            {
                if (!TryParse(fields[i], out double value) || value < 0 || value > MaxPixel)
                    throw Error(source, lineNumber, $"pixel {i + 1} is '{fields[i].Trim()}'; expected a number from 0 to {MaxPixel}.");
                pixels.Add((float)(value / MaxPixel));
            }

            string labelText = fields[PixelCount].Trim();
            if (!TryParse(labelText, out double label) || label != Math.Floor(label))
                throw Error(source, lineNumber, $"the label (field {PixelCount + 1}) is '{labelText}'; expected an integer from 0 to {ClassCount - 1}.");
            if (label < 0 || label >= ClassCount)
                throw Error(source, lineNumber, $"label {labelText} is outside the {ClassCount} classes 0..{ClassCount - 1}.");
            labels.Add((long)label);
        }
        if (labels.Count == 0)
            throw new DatasetException($"Digits CSV '{source}' has no rows.");

        Tensor features = torch.tensor(pixels.ToArray(), new long[] { labels.Count, PixelCount });
        Tensor labelTensor = torch.tensor(labels.ToArray());
        return new LabeledDataset(source, features, labelTensor, ClassCount);
    }

    private static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static DatasetException Error(string source, int lineNumber, string what) =>
        new($"Digits CSV '{source}', line {lineNumber}: {what}");
}
