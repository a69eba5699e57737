using System;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// A classification data set held as two tensors: <see cref="Features"/> (float32, [N, D]) and <see cref="Labels"/> (int64, [N]),
/// with every label checked to lie in [0, <see cref="ClassCount"/>) when the set is created.
/// </summary>
public sealed class LabeledDataset : IDisposable
{
    /// <summary>Creates a data set after checking shapes, dtypes and label range; throws <see cref="DatasetException"/> naming <paramref name="name"/> otherwise.</summary>
    public LabeledDataset(string name, Tensor features, Tensor labels, int classCount)
    {
        Name = name;
        if (classCount < 2)
            throw new DatasetException($"Data set '{name}': class count must be at least 2, got {classCount}.");
        if (features.dim() != 2)
            throw new DatasetException($"Data set '{name}': features must be a 2-D tensor [samples, features], got shape [{string.Join(", ", features.shape)}].");
        if (labels.dim() != 1)
            throw new DatasetException($"Data set '{name}': labels must be a 1-D tensor [samples], got shape [{string.Join(", ", labels.shape)}].");
        if (features.shape[0] != labels.shape[0])
            throw new DatasetException($"Data set '{name}': {features.shape[0]} feature rows but {labels.shape[0]} labels; they must match.");
        if (features.shape[0] == 0)
            throw new DatasetException($"Data set '{name}' is empty.");
        if (features.dtype != ScalarType.Float32)
            throw new DatasetException($"Data set '{name}': features must be float32, got {features.dtype}.");
        if (labels.dtype != ScalarType.Int64)
            throw new DatasetException($"Data set '{name}': labels must be int64, got {labels.dtype}.");
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0 || max >= classCount)
        {
            long bad = min < 0 ? min : max;
            long index = labels.eq(bad).nonzero()[0, 0].item<long>();
            throw new DatasetException(
                $"Data set '{name}': label {bad} at sample {index} is outside the {classCount} classes [0, {classCount - 1}].");
        }
        Features = features;
        Labels = labels;
        ClassCount = classCount;
    }

    /// <summary>Where the data came from (a file path or a description), used in error messages and reports.</summary>
    public string Name { get; }

    /// <summary>float32 [N, D].</summary>
    public Tensor Features { get; }

    /// <summary>int64 [N], each in [0, ClassCount).</summary>
    public Tensor Labels { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>Number of samples N.</summary>
    public long Count => Features.shape[0];

    /// <summary>Input width D.</summary>
    public int FeatureCount => (int)Features.shape[1];

    /// <summary>The first <paramref name="count"/> samples (or all of them when fewer exist).</summary>
    public LabeledDataset Take(long count, string? name = null)
    {
        long n = Math.Min(count, Count);
        return new LabeledDataset(name ?? Name, Features.narrow(0, 0, n), Labels.narrow(0, 0, n), ClassCount);
    }

    /// <summary>The samples at <paramref name="indices"/> (int64, 1-D).</summary>
    public LabeledDataset Select(Tensor indices, string name) =>
        new(name, Features.index_select(0, indices), Labels.index_select(0, indices), ClassCount);

    /// <summary>Copies the tensors to <paramref name="device"/>.</summary>
    public LabeledDataset To(Device device) =>
        device.type == Features.device.type ? this : new(Name, Features.to(device), Labels.to(device), ClassCount);

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
