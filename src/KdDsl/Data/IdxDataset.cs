using System;
using System.Collections.Generic;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// Loads a data set stored in the MNIST IDX layout: a folder holding <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
/// <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>, each optionally with a <c>.gz</c> suffix.
/// Images become float32 [N, rows * columns] scaled to [0, 1] (or [N, 1, rows, columns] with <see cref="IdxLayout.Images"/>);
/// labels become int64 [N].
/// </summary>
public static class IdxDataset
{
    /// <summary>Classes of MNIST and Fashion-MNIST.</summary>
    public const int DefaultClassCount = 10;

    /// <summary>Loads the train (<c>train-*</c>) and test (<c>t10k-*</c>) splits from <paramref name="directory"/>.</summary>
    /// <param name="directory">Folder holding the four IDX files.</param>
    /// <param name="datasetName">Name used in data set names and error messages, e.g. "Fashion-MNIST".</param>
    /// <param name="trainLimit">Keep only the first this many training samples (0 = all).</param>
    /// <param name="testLimit">Keep only the first this many test samples (0 = all).</param>
    /// <param name="missingFileHint">Appended to the message when the folder or a file is missing (e.g. how to install the data).</param>
    /// <param name="layout">Flat [N, rows * columns] vectors (the default) or [N, 1, rows, columns] images for convolutional models.</param>
    public static DatasetSplits Load(string directory, string datasetName, int trainLimit = 0, int testLimit = 0, string? missingFileHint = null,
        IdxLayout layout = IdxLayout.Flat)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string fullDirectory = Path.GetFullPath(directory);
        if (!Directory.Exists(fullDirectory))
            throw new DatasetException(WithHint($"{datasetName} folder '{fullDirectory}' does not exist.", missingFileHint));

        // Resolve all four files first so a missing one is reported before any slow reading.
        string trainImages = FindFile(fullDirectory, "train-images-idx3-ubyte", datasetName, missingFileHint);
        string trainLabels = FindFile(fullDirectory, "train-labels-idx1-ubyte", datasetName, missingFileHint);
        string testImages = FindFile(fullDirectory, "t10k-images-idx3-ubyte", datasetName, missingFileHint);
        string testLabels = FindFile(fullDirectory, "t10k-labels-idx1-ubyte", datasetName, missingFileHint);

        LabeledDataset train = LoadFiles(trainImages, trainLabels, $"{datasetName} train ({fullDirectory})", trainLimit, layout: layout);
        try
        {
            LabeledDataset test = LoadFiles(testImages, testLabels, $"{datasetName} test ({fullDirectory})", testLimit, layout: layout);
            return new DatasetSplits(train, test).Validate();
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads one split from an images file and a labels file. The two headers must agree on the sample count.
    /// Only the first <paramref name="limit"/> samples are kept (0 = all). <paramref name="layout"/> chooses flat
    /// [N, rows * columns] vectors (the default) or [N, 1, rows, columns] images.
    /// </summary>
    public static LabeledDataset LoadFiles(string imagesPath, string labelsPath, string name, int limit = 0, int classCount = DefaultClassCount,
        IdxLayout layout = IdxLayout.Flat)
    {
        IdxImages images = IdxFile.ReadImages(imagesPath, limit);
        IdxLabels labels = IdxFile.ReadLabels(labelsPath, limit);
        if (images.TotalCount != labels.TotalCount)
            throw new DatasetException(
                $"'{Path.GetFullPath(imagesPath)}' holds {images.TotalCount} images but '{Path.GetFullPath(labelsPath)}' holds " +
                $"{labels.TotalCount} labels; an images file and its labels file must have the same count.");

        // uint8 -> float32 in [0, 1] -> [N, rows * columns] or [N, 1, rows, columns], converted by libtorch. as_tensor wraps the byte array without
        // copying it; the wrapper is released as soon as the float copy exists.
        Tensor features;
        using (Tensor raw = torch.as_tensor(images.Pixels))
        using (Tensor scaled = raw.to_type(ScalarType.Float32).div_(255f))
            features = layout == IdxLayout.Images
                ? scaled.view(images.Count, 1, images.Rows, images.Columns)
                : scaled.view(images.Count, images.PixelsPerImage);

        var labelValues = new long[labels.Count];
        for (int i = 0; i < labelValues.Length; i++)
            labelValues[i] = labels.Labels[i];
        Tensor labelTensor = torch.tensor(labelValues);

        try
        {
            return new LabeledDataset(name, features, labelTensor, classCount);
        }
        catch
        {
            features.Dispose();
            labelTensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The path of <paramref name="baseName"/> in <paramref name="directory"/>, preferring <c>baseName.gz</c> over the uncompressed
    /// name; throws <see cref="DatasetException"/> naming both candidates when neither exists.
    /// </summary>
    public static string FindFile(string directory, string baseName, string datasetName, string? missingFileHint = null)
    {
        string gz = Path.GetFullPath(Path.Combine(directory, baseName + ".gz"));
        string raw = Path.GetFullPath(Path.Combine(directory, baseName));
        if (File.Exists(gz)) return gz;
        if (File.Exists(raw)) return raw;
        throw new DatasetException(WithHint($"{datasetName} file '{gz}' (or uncompressed '{raw}') does not exist.", missingFileHint));
    }

    private static string WithHint(string message, string? hint) => hint is null ? message : $"{message} {hint}";
}

/// <summary>How the IDX loaders shape each image.</summary>
public enum IdxLayout
{
    /// <summary>A flat vector of rows * columns values: features [N, 784] for MNIST, for MLPs (the default).</summary>
    Flat,

    /// <summary>One grey channel of rows x columns: images [N, 1, 28, 28] for MNIST, for convolutional models.</summary>
    Images,
}

/// <summary>Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of clothing, 28 x 28 grey, 10 classes.</summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the IDX files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    /// <summary>Loads the train and test splits as float32 [N, 784] (or [N, 1, 28, 28]) in [0, 1] and int64 labels.</summary>
    /// <param name="directory">Folder with the IDX files (gzip or not); default <see cref="DefaultDirectory"/>.</param>
    /// <param name="trainLimit">Keep only the first this many training samples (0 = all).</param>
    /// <param name="testLimit">Keep only the first this many test samples (0 = all).</param>
    /// <param name="layout">Flat vectors (default) or [N, 1, 28, 28] images.</param>
    public static DatasetSplits Load(string? directory = null, int trainLimit = 0, int testLimit = 0, IdxLayout layout = IdxLayout.Flat) =>
        IdxDataset.Load(directory ?? DefaultDirectory, "Fashion-MNIST", trainLimit, testLimit,
            $"Install it with `apt-get install dataset-fashion-mnist` (which puts the files in {DefaultDirectory}) " +
            "or pass the folder that holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz " +
            "and t10k-labels-idx1-ubyte.gz (Path on [Dataset]).", layout);
}

/// <summary>MNIST handwritten digits: the same IDX layout as Fashion-MNIST; there is no default location.</summary>
public static class Mnist
{
    /// <summary>Loads the train and test splits as float32 [N, 784] (or [N, 1, 28, 28]) in [0, 1] and int64 labels.</summary>
    /// <param name="directory">Folder with the IDX files (gzip or not).</param>
    /// <param name="trainLimit">Keep only the first this many training samples (0 = all).</param>
    /// <param name="testLimit">Keep only the first this many test samples (0 = all).</param>
    /// <param name="layout">Flat vectors (default) or [N, 1, 28, 28] images.</param>
    public static DatasetSplits Load(string directory, int trainLimit = 0, int testLimit = 0, IdxLayout layout = IdxLayout.Flat) =>
        IdxDataset.Load(directory, "MNIST", trainLimit, testLimit,
            "Pass the folder that holds train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) " +
            "and t10k-labels-idx1-ubyte(.gz) (Path on [Dataset]).", layout);
}
