using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using TorchSharp;
using Xunit;
using DatasetException = KdDsl.Data.DatasetException;

namespace KdDsl.Tests.Data;

/// <summary>The folder loaders (<see cref="FashionMnist"/>, <see cref="Mnist"/>, <see cref="IdxDataset"/>) on tiny hand-made IDX files.</summary>
public sealed class IdxDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    // Train: four 2 x 2 images with bytes 0, 17, 34, ..., 255; test: two images with bytes 255, 254, ...
    private static readonly byte[] TrainPixels = Enumerable.Range(0, 16).Select(i => (byte)(i * 17)).ToArray();
    private static readonly byte[] TrainLabels = { 3, 1, 4, 1 };
    private static readonly byte[] TestPixels = Enumerable.Range(0, 8).Select(i => (byte)(255 - i)).ToArray();
    private static readonly byte[] TestLabels = { 9, 0 };

    public void Dispose() => _dir.Dispose();

    // Train files gzip-compressed with .gz names, test files plain: the loader must accept both spellings.
    private void WriteFolder(byte[]? trainLabels = null)
    {
        File.WriteAllBytes(_dir.File("train-images-idx3-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Images(4, 2, 2, TrainPixels)));
        File.WriteAllBytes(_dir.File("train-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Labels(trainLabels ?? TrainLabels)));
        File.WriteAllBytes(_dir.File("t10k-images-idx3-ubyte"), IdxBytes.Images(2, 2, 2, TestPixels));
        File.WriteAllBytes(_dir.File("t10k-labels-idx1-ubyte"), IdxBytes.Labels(TestLabels));
    }

    private static void AssertScaledPixels(byte[] expectedBytes, torch.Tensor features)
    {
        Assert.Equal(torch.ScalarType.Float32, features.dtype);
        float[] actual = features.data<float>().ToArray();
        Assert.Equal(expectedBytes.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            Assert.Equal(expectedBytes[i] / 255.0, actual[i], 6);
    }

    [Fact]
    public void Loads_both_splits_flattened_scaled_to_unit_range_with_int64_labels()
    {
        WriteFolder();

        using DatasetSplits splits = FashionMnist.Load(_dir.Path);

        Assert.Equal(new long[] { 4, 4 }, splits.Train.Features.shape);
        Assert.Equal(new long[] { 2, 4 }, splits.Test.Features.shape);
        AssertScaledPixels(TrainPixels, splits.Train.Features);
        AssertScaledPixels(TestPixels, splits.Test.Features);
        Assert.Equal(torch.ScalarType.Int64, splits.Train.Labels.dtype);
        Assert.Equal(new long[] { 3, 1, 4, 1 }, splits.Train.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 9, 0 }, splits.Test.Labels.data<long>().ToArray());
        Assert.Equal(10, splits.Train.ClassCount);
        Assert.Equal(1.0f, splits.Train.Features.max().item<float>());
        Assert.Equal(0.0f, splits.Train.Features.min().item<float>());
    }

    [Fact]
    public void Limits_keep_the_first_samples_of_each_split()
    {
        WriteFolder();

        using DatasetSplits splits = Mnist.Load(_dir.Path, trainLimit: 3, testLimit: 1);

        Assert.Equal(3, splits.Train.Count);
        Assert.Equal(1, splits.Test.Count);
        AssertScaledPixels(TrainPixels[..12], splits.Train.Features);
        AssertScaledPixels(TestPixels[..4], splits.Test.Features);
        Assert.Equal(new long[] { 3, 1, 4 }, splits.Train.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Image_and_label_counts_must_match_and_the_message_names_both_files()
    {
        WriteFolder(trainLabels: new byte[] { 3, 1, 4 });

        var error = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir.Path));

        Assert.Contains(_dir.File("train-images-idx3-ubyte.gz"), error.Message);
        Assert.Contains(_dir.File("train-labels-idx1-ubyte.gz"), error.Message);
        Assert.Contains("4 images", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void A_missing_fashion_mnist_folder_says_how_to_install_it()
    {
        string missing = _dir.File("not-here");

        var error = Assert.Throws<DatasetException>(() => FashionMnist.Load(missing));

        Assert.Contains(missing, error.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named_with_both_accepted_spellings()
    {
        WriteFolder();
        File.Delete(_dir.File("t10k-labels-idx1-ubyte"));

        var error = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir.Path));

        Assert.Contains(_dir.File("t10k-labels-idx1-ubyte.gz"), error.Message);
        Assert.Contains(_dir.File("t10k-labels-idx1-ubyte") + "'", error.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void Mnist_messages_do_not_suggest_the_fashion_mnist_package()
    {
        var error = Assert.Throws<DatasetException>(() => Mnist.Load(_dir.Path));

        Assert.Contains(_dir.File("train-images-idx3-ubyte.gz"), error.Message);
        Assert.DoesNotContain("apt-get", error.Message);
    }

    [Fact]
    public void A_label_outside_the_ten_classes_is_rejected_naming_it()
    {
        WriteFolder(trainLabels: new byte[] { 3, 1, 12, 1 });

        var error = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir.Path));

        Assert.Contains("label 12", error.Message);
    }

    [Fact]
    public void The_default_folder_is_where_the_debian_package_installs_the_files()
    {
        Assert.Equal("/usr/share/datasets/fashion-mnist", FashionMnist.DefaultDirectory);
        Assert.Equal(10, FashionMnist.ClassNames.Count);
    }
}
