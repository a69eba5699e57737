using System;

namespace KdDsl;

/// <summary>
/// The built-in data set an experiment trains on. With it, the generated <c>Run(RunOptions?)</c> loads the data itself;
/// without it, only <c>Run(DatasetSplits, RunOptions?)</c> is generated and the caller supplies the data.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DatasetAttribute : Attribute
{
    /// <summary>Declares the data set.</summary>
    public DatasetAttribute(DatasetKind kind) => Kind = kind;

    /// <summary>Which data set.</summary>
    public DatasetKind Kind { get; }

    /// <summary>
    /// Folder (IDX data sets) or file (digits CSV) to read. Unset: the digits ship inside KdDsl, Fashion-MNIST is read from
    /// <c>/usr/share/datasets/fashion-mnist</c> (Debian package <c>dataset-fashion-mnist</c>), MNIST has no default.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Use at most this many training samples (0 = all). Keeps quick experiments quick.</summary>
    public int TrainLimit { get; set; }

    /// <summary>Use at most this many test samples (0 = all).</summary>
    public int TestLimit { get; set; }

    /// <summary>
    /// Fraction of the training samples held out as a validation split (for teacher selection and calibration), in [0, 1).
    /// Drawn with a fixed seed, so every run and every seed of an experiment sees the same split. Default 0 (none).
    /// </summary>
    public double ValidationFraction { get; set; }
}

/// <summary>Built-in data sets.</summary>
public enum DatasetKind
{
    /// <summary>UCI optical digits, 1,797 images of 8x8 pixels (0..16), 10 classes; embedded in KdDsl; split 70/30 with a fixed seed.</summary>
    Digits = 0,

    /// <summary>Fashion-MNIST, 60,000 + 10,000 images of 28x28, 10 classes, IDX files.</summary>
    FashionMnist = 1,

    /// <summary>MNIST handwritten digits in the same IDX layout as Fashion-MNIST; <see cref="DatasetAttribute.Path"/> is required.</summary>
    Mnist = 2,

    /// <summary>
    /// Synthetic classification with a controllable class correlation (Tang et al.), generated from a seed; see
    /// <see cref="SyntheticDataAttribute"/> for its shape (defaults apply when that attribute is absent).
    /// </summary>
    Synthetic = 3,
}
