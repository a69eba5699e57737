using System.Linq;
using KdDsl.Data;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Data;

public class StandardizerTests
{
    [Fact]
    public void Per_feature_statistics_by_hand_and_test_split_uses_train_statistics()
    {
        // Feature 0: 1, 3 -> mean 2, std 1; feature 1: 5, 5 -> mean 5, std 0 -> 1.
        using var train = new LabeledDataset("train", tensor(new float[] { 1, 5, 3, 5 }, [2, 2]), tensor(new long[] { 0, 1 }), 2);
        using var test = new LabeledDataset("test", tensor(new float[] { 4, 7 }, [1, 2]), tensor(new long[] { 1 }), 2);
        var s = Standardizer.Fit(train);
        Assert.False(s.PerChannel);
        Assert.Equal(new[] { 2.0, 5.0 }, s.Mean);
        Assert.Equal(new[] { 1.0, 1.0 }, s.Std);
        using var trainOut = s.Apply(train);
        Assert.Equal(new[] { -1f, 0f, 1f, 0f }, trainOut.Features.data<float>().ToArray());
        using var testOut = s.Apply(test);
        Assert.Equal(new[] { 2f, 2f }, testOut.Features.data<float>().ToArray()); // (4-2)/1, (7-5)/1: the train statistics
        Assert.Equal(new long[] { 1 }, testOut.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Per_channel_statistics_for_images()
    {
        // [2, 2, 1, 2]: channel 0 holds 0, 2, 4, 6 (mean 3, std sqrt(5)); channel 1 holds 10, 10, 30, 30 (mean 20, std 10).
        var x = tensor(new float[] { 0, 2, 10, 10, 4, 6, 30, 30 }, [2, 2, 1, 2]);
        using var train = new LabeledDataset("images", x, tensor(new long[] { 0, 1 }), 2);
        var s = Standardizer.Fit(train);
        Assert.True(s.PerChannel);
        Assert.Equal(new[] { 3.0, 20.0 }, s.Mean);
        Assert.Equal(System.Math.Sqrt(5), s.Std[0], 9);
        Assert.Equal(10.0, s.Std[1], 9);
        using var output = s.Apply(train);
        float[] values = output.Features.data<float>().ToArray();
        Assert.Equal(-3 / System.MathF.Sqrt(5), values[0], 5);
        Assert.Equal(-1f, values[2], 5);
        Assert.Equal(1f, values[7], 5);
    }

    [Fact]
    public void Save_and_load_round_trip()
    {
        using var dir = new TempDirectory();
        using var train = new LabeledDataset("train", tensor(new float[] { 1, 5, 3, 9 }, [2, 2]), tensor(new long[] { 0, 1 }), 2);
        var s = Standardizer.Fit(train);
        string path = dir.File("stats.json");
        s.Save(path);
        var loaded = Standardizer.Load(path);
        Assert.Equal(s.Mean, loaded.Mean);
        Assert.Equal(s.Std, loaded.Std);
        Assert.Equal(s.PerChannel, loaded.PerChannel);
        using var batch = tensor(new float[] { 2, 7 }, [1, 2]);
        using var a = s.Apply(batch);
        using var b = loaded.Apply(batch);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        using var wrong = tensor(new float[] { 1, 2, 3 }, [1, 3]);
        Assert.Throws<DatasetException>(() => loaded.Apply(wrong));
    }
}
