using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using DatasetException = KdDsl.Data.DatasetException;

namespace KdDsl.Tests.Data;

/// <summary>Data sets of any per-sample shape and dtype: images [N, C, H, W], token ids [N, L]; checks, splits, batches, IDX images.</summary>
public sealed class DataShapeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static LabeledDataset Images(string name, int count, long channels = 1, long side = 4, int classes = 3) =>
        new(name, arange(count * channels * side * side, ScalarType.Float32).reshape(count, channels, side, side),
            arange(count, ScalarType.Int64) % classes, classes);

    [Fact]
    public void Images_keep_their_shape_and_report_sample_shape_and_feature_count()
    {
        using var data = Images("imgs", 6, channels: 2, side: 3);
        Assert.Equal(new long[] { 2, 3, 3 }, data.SampleShape);
        Assert.Equal(18, data.FeatureCount);
        Assert.False(data.IsFlat);
        Assert.Equal(6, data.Count);
        using var flat = new LabeledDataset("flat", zeros(4, 7), zeros(4, ScalarType.Int64), 2);
        Assert.Equal(new long[] { 7 }, flat.SampleShape);
        Assert.Equal(7, flat.FeatureCount);
        Assert.True(flat.IsFlat);
    }

    [Fact]
    public void Int64_token_ids_are_accepted()
    {
        using var data = new LabeledDataset("ids", tensor(new long[] { 1, 2, 3, 0, 4, 5, 0, 0 }).reshape(2, 4), tensor(new long[] { 0, 1 }), 2);
        Assert.Equal(ScalarType.Int64, data.FeatureType);
        Assert.Equal(new long[] { 4 }, data.SampleShape);
        Assert.Equal(4, data.FeatureCount);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Non_finite_inputs_are_refused_naming_the_set_the_sample_and_the_position(float value, string expected)
    {
        var features = zeros(5, 1, 3, 3);
        features[3, 0, 2, 1] = tensor(value);
        var error = Assert.Throws<DatasetException>(() => new LabeledDataset("poisoned train", features, zeros(5, ScalarType.Int64), 2));
        Assert.Contains("'poisoned train'", error.Message);
        Assert.Contains($"sample 3 holds {expected} at position [0, 2, 1]", error.Message);
    }

    [Fact]
    public void Labels_out_of_range_are_refused_for_images()
    {
        var error = Assert.Throws<DatasetException>(() =>
            new LabeledDataset("imgs", zeros(3, 1, 2, 2), tensor(new long[] { 0, 5, 1 }), 3));
        Assert.Contains("label 5 at sample 1 is outside the 3 classes", error.Message);
    }

    [Fact]
    public void A_features_tensor_without_a_sample_dimension_is_refused()
    {
        var error = Assert.Throws<DatasetException>(() => new LabeledDataset("vector", zeros(4), zeros(4, ScalarType.Int64), 2));
        Assert.Contains("[samples, ...]", error.Message);
        var boolError = Assert.Throws<DatasetException>(() => new LabeledDataset("bools", zeros(4, 2).gt(0), zeros(4, ScalarType.Int64), 2));
        Assert.Contains("Bool", boolError.Message);
    }

    [Fact]
    public void Splits_that_disagree_on_sample_shape_are_refused_with_both_shapes()
    {
        using var train = Images("train imgs", 4, channels: 1, side: 4);
        using var test = Images("test imgs", 4, channels: 3, side: 4);
        var error = Assert.Throws<DatasetException>(() => new DatasetSplits(train, test).Validate());
        Assert.Contains("test split 'test imgs' has samples of shape [3, 4, 4]", error.Message);
        Assert.Contains("'train imgs' has [1, 4, 4]", error.Message);

        using var flat = new LabeledDataset("flat val", zeros(4, 16), zeros(4, ScalarType.Int64), 3);
        var flatError = Assert.Throws<DatasetException>(() => new DatasetSplits(train, Images("t", 2), flat).Validate());
        Assert.Contains("validation split 'flat val' has samples of shape [16]", flatError.Message);
    }

    [Fact]
    public void Splits_that_disagree_on_classes_or_dtype_are_refused()
    {
        using var train = Images("train imgs", 4, classes: 3);
        using var test = Images("test imgs", 4, classes: 4);
        var error = Assert.Throws<DatasetException>(() => new DatasetSplits(train, test).Validate());
        Assert.Contains("'test imgs' has 4 classes but the training split 'train imgs' has 3", error.Message);

        using var doubles = new LabeledDataset("double imgs", zeros(2, 1, 4, 4, ScalarType.Float64), zeros(2, ScalarType.Int64), 3);
        var dtypeError = Assert.Throws<DatasetException>(() => new DatasetSplits(train, doubles).Validate());
        Assert.Contains("holds Float64 inputs but the training split 'train imgs' holds Float32", dtypeError.Message);
    }

    [Fact]
    public void Subsets_and_batches_keep_the_per_sample_shape()
    {
        using var data = Images("imgs", 10, channels: 2, side: 3);
        using (var first = data.Take(4)) Assert.Equal(new long[] { 4, 2, 3, 3 }, first.Features.shape);
        using (var indices = tensor(new long[] { 7, 2 }))
        using (var picked = data.Select(indices, "picked"))
        {
            Assert.Equal(new long[] { 2, 2, 3, 3 }, picked.Features.shape);
            Assert.True(picked.Features[0].allclose(data.Features[7], 0, 0));
        }
        using var validated = new DatasetSplits(data, Images("test", 2, channels: 2, side: 3)).WithValidation(0.3, seed: 1);
        Assert.Equal(new long[] { 2, 3, 3 }, validated.Validation!.SampleShape);

        using var order = Batches.EpochOrder(data.Count, seed: 3, epoch: 1);
        var (inputs, labels) = Batches.Take(data, order, stepIndex: 1, batchSize: 4, CPU);
        Assert.Equal(new long[] { 4, 2, 3, 3 }, inputs.shape);
        Assert.Equal(new long[] { 4 }, labels.shape);
        long sampleIndex = order[4].item<long>();
        Assert.True(inputs[0].allclose(data.Features[sampleIndex], 0, 0));
        Assert.Equal(data.Labels[sampleIndex].item<long>(), labels[0].item<long>());
    }

    [Fact]
    public void Evaluation_runs_on_images()
    {
        using var data = Images("imgs", 7, channels: 1, side: 4, classes: 3);
        // A "model" that scores class k by the mean of image row k: argmax is known for the arange images (the last row wins).
        using var model = new RowMeans();
        Assert.Equal(data.Labels.eq(2).sum().item<long>() / 7.0, Evaluation.Accuracy(model, data, batchSize: 3, CPU), 12);
        using var logits = Evaluation.Logits(model, data, batchSize: 3, CPU);
        Assert.Equal(new long[] { 7, 3 }, logits.shape);
    }

    [Fact]
    public void Idx_loader_returns_images_on_request_and_flat_vectors_by_default()
    {
        byte[] pixels = Enumerable.Range(0, 4 * 6).Select(i => (byte)(i * 10)).ToArray();
        File.WriteAllBytes(_dir.File("train-images-idx3-ubyte"), IdxBytes.Images(4, 2, 3, pixels));
        File.WriteAllBytes(_dir.File("train-labels-idx1-ubyte"), IdxBytes.Labels(new byte[] { 1, 2, 3, 4 }));
        File.WriteAllBytes(_dir.File("t10k-images-idx3-ubyte"), IdxBytes.Images(1, 2, 3, pixels[..6]));
        File.WriteAllBytes(_dir.File("t10k-labels-idx1-ubyte"), IdxBytes.Labels(new byte[] { 0 }));

        using var flat = FashionMnist.Load(_dir.Path);
        using var images = FashionMnist.Load(_dir.Path, layout: IdxLayout.Images);
        using var mnist = Mnist.Load(_dir.Path, trainLimit: 2, layout: IdxLayout.Images);
        Assert.Equal(new long[] { 4, 6 }, flat.Train.Features.shape);
        Assert.Equal(new long[] { 4, 1, 2, 3 }, images.Train.Features.shape);
        Assert.Equal(new long[] { 1, 1, 2, 3 }, images.Test.Features.shape);
        Assert.Equal(new long[] { 2, 1, 2, 3 }, mnist.Train.Features.shape);
        Assert.Equal(6, images.Train.FeatureCount);
        Assert.True(images.Train.Features.reshape(4, 6).allclose(flat.Train.Features, 0, 0));
        Assert.Equal(30 / 255.0, images.Train.Features[0, 0, 1, 0].item<float>(), 6);
    }

    private sealed class RowMeans : nn.Module<Tensor, Tensor>
    {
        public RowMeans() : base(nameof(RowMeans)) { }

        public override Tensor forward(Tensor input) => input.mean(new long[] { 1, 3 }).narrow(1, 1, 3);
    }
}
