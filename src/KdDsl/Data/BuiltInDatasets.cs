using System;

namespace KdDsl.Data;

/// <summary>Loads the data sets named by <see cref="DatasetKind"/>; this is what generated code calls for <c>[Dataset(...)]</c>.</summary>
public static class BuiltInDatasets
{
    /// <summary>Fraction of the digits held out for testing.</summary>
    public const double DigitsTestFraction = 0.3;

    /// <summary>Seed of the digits train/test split (fixed, so every run and every experiment sees the same split).</summary>
    public const int DigitsSplitSeed = 0;

    /// <summary>Loads the data set a <see cref="DatasetAttribute"/> declares.</summary>
    public static DatasetSplits Load(DatasetAttribute dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Load(dataset.Kind, dataset.Path, dataset.TrainLimit, dataset.TestLimit);
    }

    /// <summary>
    /// Loads a built-in data set.
    /// <list type="bullet">
    /// <item><see cref="DatasetKind.Digits"/>: the embedded copy, or the CSV at <paramref name="path"/>; split 70/30 with seed 0.</item>
    /// <item><see cref="DatasetKind.FashionMnist"/>: the IDX folder at <paramref name="path"/>, default <see cref="FashionMnist.DefaultDirectory"/>.</item>
    /// <item><see cref="DatasetKind.Mnist"/>: the IDX folder at <paramref name="path"/>, which is required.</item>
    /// </list>
    /// </summary>
    /// <param name="kind">Which data set.</param>
    /// <param name="path">File (digits) or folder (IDX data sets); null for the default.</param>
    /// <param name="trainLimit">Keep only the first this many training samples (0 = all); for the digits, applied after the split.</param>
    /// <param name="testLimit">Keep only the first this many test samples (0 = all); for the digits, applied after the split.</param>
    public static DatasetSplits Load(DatasetKind kind, string? path, int trainLimit = 0, int testLimit = 0)
    {
        if (trainLimit < 0)
            throw new ArgumentOutOfRangeException(nameof(trainLimit), trainLimit, "The training sample limit must be 0 (all samples) or positive.");
        if (testLimit < 0)
            throw new ArgumentOutOfRangeException(nameof(testLimit), testLimit, "The test sample limit must be 0 (all samples) or positive.");
        if (string.IsNullOrWhiteSpace(path)) path = null;

        switch (kind)
        {
            case DatasetKind.Digits:
                return LoadDigits(path, trainLimit, testLimit);
            case DatasetKind.FashionMnist:
                return FashionMnist.Load(path, trainLimit, testLimit);
            case DatasetKind.Mnist:
                if (path is null)
                    throw new DatasetException(
                        "MNIST has no default location: set Path on [Dataset(DatasetKind.Mnist, Path = \"...\")] to the folder that holds " +
                        "train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz).");
                return Mnist.Load(path, trainLimit, testLimit);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind,
                    $"Unknown data set kind {(int)kind}; expected one of {string.Join(", ", Enum.GetNames<DatasetKind>())}.");
        }
    }

    private static DatasetSplits LoadDigits(string? path, int trainLimit, int testLimit)
    {
        DatasetSplits split;
        using (LabeledDataset all = path is null ? DigitsCsv.LoadEmbedded() : DigitsCsv.Load(path))
            split = DigitsCsv.Split(all, DigitsTestFraction, DigitsSplitSeed);
        return new DatasetSplits(Limit(split.Train, trainLimit), Limit(split.Test, testLimit)).Validate();
    }

    // The first `limit` samples (0 = all). Take returns views, so the original handles can be released.
    private static LabeledDataset Limit(LabeledDataset data, int limit)
    {
        if (limit == 0 || limit >= data.Count) return data;
        LabeledDataset first = data.Take(limit);
        data.Dispose();
        return first;
    }
}
