using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using TorchSharp;
using Xunit;
using DatasetException = KdDsl.Data.DatasetException;

namespace KdDsl.Tests.Data;

public sealed class BuiltInDatasetsTests : IDisposable
{
    // Per-class row counts of sklearn's digits.csv.gz (computed with zcat | awk).
    private static readonly long[] DigitsClassCounts = { 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Digits_are_split_70_30_and_together_hold_every_row()
    {
        using DatasetSplits splits = BuiltInDatasets.Load(DatasetKind.Digits, path: null, trainLimit: 0, testLimit: 0);

        // Stratified: per class round(0.3 * count) test rows, 539 in all; 1797 - 539 = 1258 train rows.
        Assert.Equal(1258, splits.Train.Count);
        Assert.Equal(539, splits.Test.Count);
        Assert.Equal(64, splits.Train.FeatureCount);
        Assert.Equal(10, splits.Test.ClassCount);
        long[] train = splits.Train.Labels.data<long>().ToArray().ClassCounts(10);
        long[] test = splits.Test.Labels.data<long>().ToArray().ClassCounts(10);
        Assert.Equal(DigitsClassCounts, train.Zip(test, (a, b) => a + b));
        Assert.Equal(DigitsClassCounts.Select(c => (long)Math.Round(c * 0.3, MidpointRounding.AwayFromZero)), test);
    }

    [Fact]
    public void Digits_limits_take_the_first_rows_of_the_fixed_split()
    {
        using DatasetSplits full = BuiltInDatasets.Load(DatasetKind.Digits, null);
        using DatasetSplits limited = BuiltInDatasets.Load(DatasetKind.Digits, null, trainLimit: 100, testLimit: 50);

        Assert.Equal(100, limited.Train.Count);
        Assert.Equal(50, limited.Test.Count);
        Assert.Equal(full.Train.Features[..100].data<float>().ToArray(), limited.Train.Features.data<float>().ToArray());
        Assert.Equal(full.Train.Labels[..100].data<long>().ToArray(), limited.Train.Labels.data<long>().ToArray());
        Assert.Equal(full.Test.Features[..50].data<float>().ToArray(), limited.Test.Features.data<float>().ToArray());
    }

    [Fact]
    public void Digits_read_a_csv_file_when_a_path_is_given()
    {
        string path = _dir.File("twenty.csv");
        File.WriteAllLines(path, Enumerable.Range(0, 20).Select(i => string.Join(",", Enumerable.Repeat(i % 17, 64)) + "," + (i % 10)));

        using DatasetSplits splits = BuiltInDatasets.Load(DatasetKind.Digits, path);

        // Each of the 10 classes has 2 rows and gives round(0.3 * 2) = 1 of them to the test split.
        Assert.Equal(10, splits.Train.Count);
        Assert.Equal(10, splits.Test.Count);
        Assert.Contains(Path.GetFullPath(path), splits.Train.Name);
    }

    [Fact]
    public void Fashion_mnist_reads_the_folder_given_as_path()
    {
        byte[] pixels = Enumerable.Range(0, 4 * 784).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(_dir.File("train-images-idx3-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Images(4, 28, 28, pixels)));
        File.WriteAllBytes(_dir.File("train-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Labels(new byte[] { 0, 1, 2, 3 })));
        File.WriteAllBytes(_dir.File("t10k-images-idx3-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Images(2, 28, 28, pixels[..(2 * 784)])));
        File.WriteAllBytes(_dir.File("t10k-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Labels(new byte[] { 9, 8 })));

        using DatasetSplits splits = BuiltInDatasets.Load(DatasetKind.FashionMnist, _dir.Path, trainLimit: 3, testLimit: 0);

        Assert.Equal(new long[] { 3, 784 }, splits.Train.Features.shape);
        Assert.Equal(new long[] { 2, 784 }, splits.Test.Features.shape);
        Assert.Equal(new long[] { 9, 8 }, splits.Test.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Fashion_mnist_without_a_path_uses_the_debian_folder()
    {
        if (Directory.Exists(FashionMnist.DefaultDirectory))
        {
            using DatasetSplits splits = BuiltInDatasets.Load(DatasetKind.FashionMnist, null, trainLimit: 10, testLimit: 10);
            Assert.Equal(784, splits.Train.FeatureCount);
            Assert.Equal(10, splits.Test.Count);
        }
        else
        {
            var error = Assert.Throws<DatasetException>(() => BuiltInDatasets.Load(DatasetKind.FashionMnist, null));
            Assert.Contains(FashionMnist.DefaultDirectory, error.Message);
            Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        }
    }

    [Fact]
    public void Mnist_requires_a_path()
    {
        var error = Assert.Throws<DatasetException>(() => BuiltInDatasets.Load(DatasetKind.Mnist, null));

        Assert.Contains("MNIST has no default location", error.Message);
        Assert.Contains("Path", error.Message);
    }

    [Fact]
    public void The_attribute_overload_passes_kind_path_and_limits()
    {
        var attribute = new DatasetAttribute(DatasetKind.Digits) { TrainLimit = 10, TestLimit = 5 };

        using DatasetSplits splits = BuiltInDatasets.Load(attribute);

        Assert.Equal(10, splits.Train.Count);
        Assert.Equal(5, splits.Test.Count);
    }

    [Fact]
    public void An_unknown_kind_is_an_argument_error_listing_the_known_ones()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInDatasets.Load((DatasetKind)42, null));

        Assert.Equal("kind", error.ParamName);
        Assert.Contains("42", error.Message);
        Assert.Contains("Digits, FashionMnist, Mnist", error.Message);
    }

    [Fact]
    public void A_negative_limit_is_an_argument_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInDatasets.Load(DatasetKind.Digits, null, trainLimit: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BuiltInDatasets.Load(DatasetKind.Digits, null, testLimit: -5));
    }
}
