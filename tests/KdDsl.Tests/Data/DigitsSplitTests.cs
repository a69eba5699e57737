using System;
using System.Linq;
using KdDsl.Data;
using TorchSharp;
using Xunit;

namespace KdDsl.Tests.Data;

/// <summary><see cref="DigitsCsv.Split"/> on a synthetic set whose single feature is the sample's own index.</summary>
public sealed class DigitsSplitTests
{
    private const int N = 50;

    // Sample i has feature i and label i % 3, so the classes have 17, 17 and 16 samples.
    private static LabeledDataset Indexed() =>
        new("indexed",
            torch.arange(N, dtype: torch.ScalarType.Float32).reshape(N, 1),
            torch.arange(N, dtype: torch.ScalarType.Int64).remainder(3),
            classCount: 3);

    private static long[] Indices(LabeledDataset split) =>
        split.Features.data<float>().ToArray().Select(v => (long)v).ToArray();

    [Fact]
    public void Splits_are_disjoint_cover_every_sample_and_keep_the_labels()
    {
        using LabeledDataset all = Indexed();
        using DatasetSplits splits = DigitsCsv.Split(all, testFraction: 0.3, seed: 5);

        long[] train = Indices(splits.Train), test = Indices(splits.Test);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(Enumerable.Range(0, N).Select(i => (long)i), train.Concat(test).OrderBy(i => i));
        Assert.Equal(train.Select(i => i % 3), splits.Train.Labels.data<long>().ToArray());
        Assert.Equal(test.Select(i => i % 3), splits.Test.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Each_class_gives_its_rounded_share_to_the_test_split()
    {
        using LabeledDataset all = Indexed();
        using DatasetSplits splits = DigitsCsv.Split(all, testFraction: 0.3, seed: 1);

        // round(0.3 * 17) = 5, round(0.3 * 16) = 5.
        Assert.Equal(new long[] { 5, 5, 5 }, splits.Test.Labels.data<long>().ToArray().ClassCounts(3));
        Assert.Equal(new long[] { 12, 12, 11 }, splits.Train.Labels.data<long>().ToArray().ClassCounts(3));
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_whatever_torch_s_random_state()
    {
        using LabeledDataset all = Indexed();

        torch.manual_seed(1);
        using DatasetSplits first = DigitsCsv.Split(all, seed: 7);
        torch.manual_seed(2);
        torch.rand(100).Dispose();
        using DatasetSplits second = DigitsCsv.Split(all, seed: 7);
        using DatasetSplits other = DigitsCsv.Split(all, seed: 8);

        Assert.Equal(Indices(first.Train), Indices(second.Train));
        Assert.Equal(Indices(first.Test), Indices(second.Test));
        Assert.NotEqual(Indices(first.Train), Indices(other.Train));
    }

    [Fact]
    public void The_splits_mix_the_classes_instead_of_grouping_them()
    {
        using LabeledDataset all = Indexed();
        using DatasetSplits splits = DigitsCsv.Split(all, seed: 0);

        long[] labels = splits.Train.Labels.data<long>().ToArray();
        Assert.NotEqual(labels.OrderBy(l => l), labels);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_test_fraction_outside_zero_to_one_is_an_argument_error(double fraction)
    {
        using LabeledDataset all = Indexed();

        Assert.Throws<ArgumentOutOfRangeException>(() => DigitsCsv.Split(all, fraction));
    }
}
