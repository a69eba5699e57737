using System;
using System.Linq;
using KdDsl.Data;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Data;

public class StratifiedSplitTests
{
    // 3 unbalanced classes (60, 30, 10 samples); feature = sample index, so samples can be traced.
    private static LabeledDataset Data()
    {
        long[] labels = Enumerable.Range(0, 100).Select(i => i < 60 ? 0L : i < 90 ? 1L : 2L).ToArray();
        return new LabeledDataset("all", arange(100, ScalarType.Float32).reshape(100, 1), tensor(labels), 3);
    }

    private static long[] Ids(LabeledDataset d) => d.Features.flatten().data<float>().ToArray().Select(v => (long)v).ToArray();

    [Fact]
    public void Proportions_disjoint_covering()
    {
        using var all = Data();
        using var splits = StratifiedSplit.Split(all, testFraction: 0.2, validationFraction: 0.15, seed: 7);
        var parts = new[] { (splits.Train, 0.65), (splits.Validation!, 0.15), (splits.Test, 0.2) };
        int[] classSizes = [60, 30, 10];
        foreach (var (part, fraction) in parts)
        {
            long[] labels = part.Labels.data<long>().ToArray();
            for (int c = 0; c < 3; c++)
                Assert.True(Math.Abs(labels.Count(l => l == c) - classSizes[c] * fraction) <= 1.0,
                    $"class {c} in {part.Name}: {labels.Count(l => l == c)} vs {classSizes[c] * fraction}");
            // Each sample keeps its own label.
            Assert.Equal(Ids(part).Select(i => i < 60 ? 0L : i < 90 ? 1L : 2L), labels);
        }
        var ids = parts.SelectMany(p => Ids(p.Item1)).ToArray();
        Assert.Equal(100, ids.Length);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        using var all = Data();
        using var a = StratifiedSplit.Split(all, seed: 3);
        using var b = StratifiedSplit.Split(all, seed: 3);
        using var c = StratifiedSplit.Split(all, seed: 4);
        Assert.Equal(Ids(a.Train), Ids(b.Train));
        Assert.Equal(Ids(a.Test), Ids(b.Test));
        Assert.Equal(Ids(a.Validation!), Ids(b.Validation!));
        Assert.NotEqual(Ids(a.Test), Ids(c.Test));
    }

    [Fact]
    public void No_validation_when_fraction_is_zero_and_too_small_data_refused()
    {
        using var all = Data();
        using var splits = StratifiedSplit.Split(all, testFraction: 0.3, validationFraction: 0);
        Assert.Null(splits.Validation);
        Assert.Equal(30, splits.Test.Count);
        using var tiny = new LabeledDataset("tiny", tensor(new float[] { 1, 2 }, [2, 1]), tensor(new long[] { 0, 1 }), 2);
        Assert.Throws<DatasetException>(() => StratifiedSplit.Split(tiny, testFraction: 0.2, validationFraction: 0.1));
    }
}
