using KdDsl.Data;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>A generated experiment over [N, C, H, W] images with the library's CIFAR-style ResNet teacher and CNN student.</summary>
public sealed class ImageExperimentTests
{
    /// <summary>Two-channel 8x8 images whose class is the brighter quadrant (of 4), plus noise: learnable in a few steps.</summary>
    private static LabeledDataset Quadrants(string name, int count, int seed)
    {
        var generator = new Generator((ulong)seed);
        var labels = randint(0, 4, new long[] { count }, generator: generator, dtype: ScalarType.Int64);
        var images = randn(new long[] { count, 2, 8, 8 }, generator: generator) * 0.3;
        var label = labels.data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            long row = label[i] / 2 * 4, column = label[i] % 2 * 4;
            images[i, TensorIndex.Colon, TensorIndex.Slice(row, row + 4), TensorIndex.Slice(column, column + 4)] += 1.0;
        }
        return new LabeledDataset(name, images, labels, 4);
    }

    [Fact]
    public void Image_experiment_builds_conv_models_from_the_channel_count_and_distils()
    {
        using var data = new DatasetSplits(Quadrants("train", 128, 1), Quadrants("test", 64, 2));
        using var result = TinyImageKd.Run(data);
        Assert.InRange(result.TeacherAccuracy, 0.5, 1.0); // chance is 0.25
        Assert.InRange(result.StudentAccuracy, 0.4, 1.0);
        Assert.Equal(2, result.Epochs.Count);
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.Total)));
    }
}
