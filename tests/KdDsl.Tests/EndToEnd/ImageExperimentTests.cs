using KdDsl.Data;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>A generated experiment over [N, C, H, W] images with the library's CIFAR-style ResNet teacher and CNN student.</summary>
public sealed class ImageExperimentTests
{
    [Fact]
    public void Image_experiment_builds_conv_models_from_the_channel_count_and_distils()
    {
        using var data = KdDsl.Tests.Matching.TinyImages.Splits(); // 128 training and 64 test quadrant images, 2 x 8 x 8
        using var result = TinyImageKd.Run(data);
        Assert.InRange(result.TeacherAccuracy, 0.5, 1.0); // chance is 0.25
        Assert.InRange(result.StudentAccuracy, 0.4, 1.0);
        Assert.Equal(2, result.Epochs.Count);
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.Total)));
    }
}
