using System;
using System.Linq;
using KdDsl.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Data;

/// <summary><see cref="SyntheticClassification"/>: determinism, shapes, label coverage and the class-weight geometry.</summary>
public sealed class SyntheticClassificationTests
{
    private static DatasetSplits Small(int seed = 7, double tau = 0.5, int sinusoids = 4) =>
        SyntheticClassification.Generate(trainSamples: 600, testSamples: 300, features: 12, classes: 6, groups: 2,
            classCorrelation: tau, seed: seed, sinusoids: sinusoids);

    private static double Dot(double[,] w, int a, int b) =>
        Enumerable.Range(0, w.GetLength(1)).Sum(f => w[a, f] * w[b, f]);

    [Fact]
    public void The_same_seed_gives_identical_tensors_and_another_seed_different_ones()
    {
        using var first = Small(seed: 3);
        using var again = Small(seed: 3);
        using var other = Small(seed: 4);
        Assert.True(first.Train.Features.eq(again.Train.Features).all().item<bool>());
        Assert.True(first.Train.Labels.eq(again.Train.Labels).all().item<bool>());
        Assert.True(first.Test.Features.eq(again.Test.Features).all().item<bool>());
        Assert.True(first.Test.Labels.eq(again.Test.Labels).all().item<bool>());
        Assert.False(first.Train.Features.eq(other.Train.Features).all().item<bool>());
        Assert.False(first.Train.Labels.eq(other.Train.Labels).all().item<bool>());
    }

    [Fact]
    public void Shapes_dtypes_and_label_range()
    {
        using var splits = Small();
        Assert.Equal(new long[] { 600, 12 }, splits.Train.Features.shape);
        Assert.Equal(new long[] { 600 }, splits.Train.Labels.shape);
        Assert.Equal(new long[] { 300, 12 }, splits.Test.Features.shape);
        Assert.Equal(new long[] { 300 }, splits.Test.Labels.shape);
        Assert.Equal(ScalarType.Float32, splits.Train.Features.dtype);
        Assert.Equal(ScalarType.Int64, splits.Train.Labels.dtype);
        Assert.Equal(6, splits.Train.ClassCount);
        Assert.Equal(6, splits.Test.ClassCount);
        Assert.Null(splits.Validation);
        foreach (var split in new[] { splits.Train, splits.Test })
        {
            Assert.True(split.Labels.min().item<long>() >= 0);
            Assert.True(split.Labels.max().item<long>() < 6);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Every_class_occurs_in_both_splits(double tau)
    {
        using var splits = SyntheticClassification.Generate(2000, 1000, 16, 8, 2, tau, seed: 11);
        foreach (var split in new[] { splits.Train, splits.Test })
        {
            using var counts = split.Labels.bincount(null, 8);
            var values = counts.data<long>().ToArray();
            Assert.Equal(8, values.Length);
            Assert.All(values, c => Assert.True(c > 0, $"class counts {string.Join(", ", values)}"));
        }
    }

    [Fact]
    public void Inputs_are_standard_normal()
    {
        using var splits = SyntheticClassification.Generate(4000, 10, 10, 4, 2, 0.5, seed: 1);
        var x = splits.Train.Features.data<float>().ToArray();
        double mean = x.Average(v => (double)v);
        double variance = x.Average(v => (v - mean) * (v - mean));
        Assert.True(Math.Abs(mean) < 0.02, $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 0.03, $"variance {variance}");
    }

    [Fact]
    public void Tau_zero_gives_orthonormal_class_weights()
    {
        var w = SyntheticClassification.ClassWeights(features: 12, classes: 6, groups: 3, classCorrelation: 0, seed: 5);
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 6; b++) Assert.Equal(a == b ? 1.0 : 0.0, Dot(w, a, b), 10);
    }

    [Fact]
    public void Tau_one_makes_the_classes_of_a_group_share_one_vector()
    {
        var w = SyntheticClassification.ClassWeights(features: 12, classes: 6, groups: 2, classCorrelation: 1, seed: 5);
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 6; b++)
            {
                bool sameGroup = SyntheticClassification.GroupOf(a, 6, 2) == SyntheticClassification.GroupOf(b, 6, 2);
                if (sameGroup)
                    for (int f = 0; f < 12; f++) Assert.Equal(w[a, f], w[b, f]);
                else
                    Assert.Equal(0.0, Dot(w, a, b), 10);
            }

        // Identical scores tie, and ties go to the lowest index: only the first class of each group (0 and 3) occurs.
        using var splits = SyntheticClassification.Generate(300, 100, 12, 6, 2, 1, seed: 5);
        var labels = splits.Train.Labels.data<long>().ToArray().Distinct().OrderBy(v => v).ToArray();
        Assert.Equal(new long[] { 0, 3 }, labels);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.95)]
    public void Class_weights_have_unit_norm_and_correlate_by_tau_squared_within_a_group_only(double tau)
    {
        const int classes = 7, groups = 3;
        var w = SyntheticClassification.ClassWeights(features: 15, classes, groups, tau, seed: 9);
        for (int a = 0; a < classes; a++)
            for (int b = 0; b < classes; b++)
            {
                double expected = a == b ? 1
                    : SyntheticClassification.GroupOf(a, classes, groups) == SyntheticClassification.GroupOf(b, classes, groups) ? tau * tau
                    : 0;
                Assert.Equal(expected, Dot(w, a, b), 10);
            }
    }

    [Fact]
    public void Groups_are_contiguous_near_equal_blocks()
    {
        var groups = Enumerable.Range(0, 10).Select(k => SyntheticClassification.GroupOf(k, 10, 3)).ToArray();
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2 }, groups);
        Assert.All(Enumerable.Range(0, 5), k => Assert.Equal(0, SyntheticClassification.GroupOf(k, 5, 1)));
        Assert.Equal(new[] { 0, 1, 2, 3 }, Enumerable.Range(0, 4).Select(k => SyntheticClassification.GroupOf(k, 4, 4)).ToArray());
    }

    [Fact]
    public void Labels_are_the_argmax_of_the_published_class_weights_and_the_sinusoids_matter()
    {
        // With no sinusoids the label is argmax_k w_k . x, checkable with ClassWeights.
        using var linear = Small(seed: 21, sinusoids: 0);
        var w = SyntheticClassification.ClassWeights(12, 6, 2, 0.5, seed: 21);
        Assert.Equal(LinearArgmax(linear.Train, w), linear.Train.Labels.data<long>().ToArray());
        Assert.Equal(LinearArgmax(linear.Test, w), linear.Test.Labels.data<long>().ToArray());

        // With sinusoids the labelling is nonlinear: some labels differ from the linear argmax of the same inputs.
        using var curved = Small(seed: 21, sinusoids: 4);
        var differing = LinearArgmax(curved.Train, w).Zip(curved.Train.Labels.data<long>().ToArray()).Count(p => p.First != p.Second);
        Assert.True(differing > 0);
    }

    private static long[] LinearArgmax(LabeledDataset split, double[,] w)
    {
        var x = split.Features.data<float>().ToArray();
        int d = split.FeatureCount, classes = w.GetLength(0);
        var labels = new long[split.Count];
        for (int n = 0; n < labels.Length; n++)
        {
            double best = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                double s = 0;
                for (int f = 0; f < d; f++) s += w[k, f] * x[n * d + f];
                if (s > best)
                {
                    best = s;
                    labels[n] = k;
                }
            }
        }
        return labels;
    }

    [Fact]
    public void Rejects_invalid_arguments_naming_them()
    {
        void Throws(string parameter, Action generate) =>
            Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(generate).ParamName);

        Throws("trainSamples", () => SyntheticClassification.Generate(0, 10, 12, 6, 2, 0.5, 1));
        Throws("testSamples", () => SyntheticClassification.Generate(10, 0, 12, 6, 2, 0.5, 1));
        Throws("features", () => SyntheticClassification.Generate(10, 10, 7, 6, 2, 0.5, 1));
        Throws("classes", () => SyntheticClassification.Generate(10, 10, 12, 1, 1, 0.5, 1));
        Throws("groups", () => SyntheticClassification.Generate(10, 10, 12, 6, 0, 0.5, 1));
        Throws("groups", () => SyntheticClassification.Generate(10, 10, 20, 6, 7, 0.5, 1));
        Throws("classCorrelation", () => SyntheticClassification.Generate(10, 10, 12, 6, 2, -0.1, 1));
        Throws("classCorrelation", () => SyntheticClassification.Generate(10, 10, 12, 6, 2, 1.1, 1));
        Throws("classCorrelation", () => SyntheticClassification.Generate(10, 10, 12, 6, 2, double.NaN, 1));
        Throws("sinusoids", () => SyntheticClassification.Generate(10, 10, 12, 6, 2, 0.5, 1, sinusoids: -1));
        Throws("features", () => SyntheticClassification.ClassWeights(7, 6, 2, 0.5, 1));
        Throws("classIndex", () => SyntheticClassification.GroupOf(6, 6, 2));
    }
}
