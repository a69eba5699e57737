using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// A classification data set held as two tensors: <see cref="Features"/> ([N, ...] of any per-sample shape: float32 feature
/// vectors [N, D], float32 images [N, C, H, W], int64 token ids [N, L], ...) and <see cref="Labels"/> (int64, [N]). When the
/// set is created every label is checked to lie in [0, <see cref="ClassCount"/>) and, for floating-point inputs, every value
/// to be finite; a failure throws <see cref="DatasetException"/> naming the set and the offending sample.
/// </summary>
public sealed class LabeledDataset : IDisposable
{
    /// <summary>Creates a data set after checking shapes, dtypes, label range and finiteness; throws <see cref="DatasetException"/> naming <paramref name="name"/> otherwise.</summary>
    public LabeledDataset(string name, Tensor features, Tensor labels, int classCount)
        : this(name, features, labels, classCount, check: true)
    {
    }

    // check = false only for subsets and copies of a data set that was checked when it was created.
    private LabeledDataset(string name, Tensor features, Tensor labels, int classCount, bool check)
    {
        Name = name;
        if (check) Check(name, features, labels, classCount);
        Features = features;
        Labels = labels;
        ClassCount = classCount;
    }

    private static void Check(string name, Tensor features, Tensor labels, int classCount)
    {
        if (classCount < 2)
            throw new DatasetException($"Data set '{name}': class count must be at least 2, got {classCount}.");
        if (features.dim() < 2)
            throw new DatasetException(
                $"Data set '{name}': features must have a sample dimension and at least one more, [samples, ...], got shape {ShapeText(features.shape)}.");
        if (labels.dim() != 1)
            throw new DatasetException($"Data set '{name}': labels must be a 1-D tensor [samples], got shape {ShapeText(labels.shape)}.");
        if (features.shape[0] != labels.shape[0])
            throw new DatasetException($"Data set '{name}': {features.shape[0]} feature rows but {labels.shape[0]} labels; they must match.");
        if (features.shape[0] == 0)
            throw new DatasetException($"Data set '{name}' is empty.");
        if (features.numel() == 0)
            throw new DatasetException($"Data set '{name}': samples of shape {ShapeText(features.shape.Skip(1))} hold no values.");
        if (!IsSupported(features.dtype))
            throw new DatasetException(
                $"Data set '{name}': features must be a real floating-point (e.g. float32) or integer (e.g. int64 token ids) tensor, got {features.dtype}.");
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
        if (features.is_floating_point())
        {
            using var scope = NewDisposeScope();
            var finite = isfinite(features);
            if (!finite.all().item<bool>())
            {
                var rowFinite = finite.reshape(features.shape[0], -1).all(1);
                long row = rowFinite.logical_not().nonzero()[0, 0].item<long>();
                var sample = features[row].flatten();
                long offset = sample.isfinite().logical_not().nonzero()[0, 0].item<long>();
                var badValue = sample[offset].to_type(ScalarType.Float64).item<double>();
                string what = double.IsNaN(badValue) ? "NaN" : badValue > 0 ? "+Infinity" : "-Infinity";
                // Where in the sample: the column of flat data, the index of each dimension otherwise.
                var sampleShape = features.shape[1..];
                string at = sampleShape.Length == 1 ? $"column {offset}" : "position " + ShapeText(Unravel(offset, sampleShape));
                throw new DatasetException(
                    $"Data set '{name}': sample {row} holds {what} at {at}; inputs must be finite (a NaN or infinite input would poison every loss it reaches).");
            }
        }
    }

    private static long[] Unravel(long offset, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = offset % shape[d];
            offset /= shape[d];
        }
        return index;
    }

    private static bool IsSupported(ScalarType dtype) => dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16
        or ScalarType.BFloat16 or ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;

    /// <summary>A shape as text, e.g. <c>[1, 28, 28]</c>.</summary>
    public static string ShapeText(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Where the data came from (a file path or a description), used in error messages and reports.</summary>
    public string Name { get; }

    /// <summary>The inputs, [N, ...]: e.g. float32 [N, D], float32 [N, C, H, W] or int64 [N, L].</summary>
    public Tensor Features { get; }

    /// <summary>int64 [N], each in [0, ClassCount).</summary>
    public Tensor Labels { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>Number of samples N.</summary>
    public long Count => Features.shape[0];

    /// <summary>The shape of one sample: the dimensions after the first, e.g. [784], [1, 28, 28] or [L].</summary>
    public long[] SampleShape => Features.shape[1..];

    /// <summary>Whether every sample is a flat vector ([N, D] data, <see cref="SampleShape"/> of length 1).</summary>
    public bool IsFlat => Features.dim() == 2;

    /// <summary>
    /// Number of values per sample: the product of <see cref="SampleShape"/>. For flat [N, D] data this is the input width D
    /// (what a model with an <c>(int inputFeatures, int classCount)</c> constructor receives); for images [N, C, H, W] it is
    /// C * H * W (the width of a flattened image), for token ids [N, L] it is L.
    /// </summary>
    public int FeatureCount => checked((int)SampleShape.Aggregate(1L, (product, d) => product * d));

    /// <summary>The element type of <see cref="Features"/>.</summary>
    public ScalarType FeatureType => Features.dtype;

    /// <summary>The first <paramref name="count"/> samples (or all of them when fewer exist).</summary>
    public LabeledDataset Take(long count, string? name = null)
    {
        long n = Math.Min(count, Count);
        return new LabeledDataset(name ?? Name, Features.narrow(0, 0, n), Labels.narrow(0, 0, n), ClassCount, check: n == 0);
    }

    /// <summary>The samples at <paramref name="indices"/> (int64, 1-D).</summary>
    public LabeledDataset Select(Tensor indices, string name) =>
        new(name, Features.index_select(0, indices), Labels.index_select(0, indices), ClassCount, check: indices.numel() == 0);

    /// <summary>Copies the tensors to <paramref name="device"/>.</summary>
    public LabeledDataset To(Device device) =>
        device.type == Features.device.type ? this : new(Name, Features.to(device), Labels.to(device), ClassCount, check: false);

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
