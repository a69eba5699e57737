using System;
using System.Linq;
using KdDsl.Data;
using KdDsl.Models;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>The pre-flight check: one sample of the data's shape through the model, with messages that name the failing layer.</summary>
public sealed class ModelChecksTests
{
    private static LabeledDataset Images(long channels, long side, int count = 3, int classes = 10) =>
        new("tiny images", rand(count, channels, side, side), arange(count, ScalarType.Int64) % classes, classes);

    private static LabeledDataset Flat(long width, int count = 3) =>
        new("tiny flat", rand(count, width), arange(count, ScalarType.Int64) % 10, 10);

    [Fact]
    public void Conv_models_that_fit_the_images_pass_and_keep_their_mode()
    {
        using var data = Images(3, 12);
        using var model = new ResNet8(3, 10);
        model.train();
        ModelChecks.EnsureFits(model, "teacher", "ResNet8", data); // the classifier's 64 in-features are not mistaken for the input width
        Assert.True(model.training);
        model.eval();
        ModelChecks.EnsureFits(model, "teacher", "ResNet8", data);
        Assert.False(model.training);
    }

    [Fact]
    public void The_check_does_not_draw_from_the_random_generator_nor_change_batchnorm_statistics()
    {
        using var data = Images(1, 8);
        manual_seed(7);
        using var model = new SmallCnn(1, 10);
        using var runningMean = model.named_buffers().First(b => b.name.EndsWith("running_mean")).buffer.clone();
        manual_seed(11);
        ModelChecks.EnsureFits(model, "student", "SmallCnn", data);
        using var after = rand(4);
        manual_seed(11);
        using var expected = rand(4);
        Assert.True(after.allclose(expected, 0, 0));
        Assert.True(model.named_buffers().First(b => b.name.EndsWith("running_mean")).buffer.allclose(runningMean, 0, 0));
    }

    [Fact]
    public void Wrong_input_channels_name_the_layer_the_shapes_and_the_sample_shape()
    {
        using var data = Images(1, 8);
        using var model = new ResNet8(3, 10);
        var error = Assert.Throws<InvalidOperationException>(() => ModelChecks.EnsureFits(model, "teacher", "ResNet8", data));
        Assert.Contains("The teacher ResNet8 rejected an input of shape [1, 1, 8, 8]", error.Message);
        Assert.Contains("whose samples have shape [1, 8, 8]", error.Message);
        Assert.Contains("in layer 'stem.conv' (Conv2d), which received shape [1, 1, 8, 8]", error.Message);
    }

    [Fact]
    public void Flat_data_into_a_conv_model_is_refused_with_the_layer()
    {
        using var data = Flat(784);
        using var model = new SmallCnn(1, 10);
        var error = Assert.Throws<InvalidOperationException>(() => ModelChecks.EnsureFits(model, "student", "SmallCnn", data));
        Assert.Contains("The student SmallCnn rejected an input of shape [1, 784]", error.Message);
        Assert.Contains("'embedding.conv' (Conv2d)", error.Message);
        Assert.Contains("IdxLayout", error.Message);
    }

    [Fact]
    public void A_failure_deep_inside_a_sequential_names_the_innermost_layer()
    {
        using var data = Images(1, 6);
        // Flatten gives 36 values but the Linear expects 30.
        using var model = nn.Sequential(("features", nn.Sequential(("conv", nn.Conv2d(1, 1, 1)), ("flat", nn.Flatten()))), ("classifier", nn.Linear(30, 10)));
        var error = Assert.Throws<InvalidOperationException>(() => ModelChecks.EnsureFits(model, "student", "Net", data));
        Assert.Contains("in layer 'classifier' (Linear), which received shape [1, 36]", error.Message);
    }

    [Fact]
    public void Images_into_an_mlp_are_refused_by_its_linear_layer_without_aborting()
    {
        using var data = Images(1, 4);
        using var model = new LayeredMlp(16, 10, 1, 8);
        var error = Assert.Throws<InvalidOperationException>(() => ModelChecks.EnsureFits(model, "student", "LayeredMlp", data));
        Assert.Contains("'embedding' (Linear), which received shape [1, 1, 4, 4]", error.Message);
    }

    [Fact]
    public void Flat_data_of_the_wrong_width_into_a_linear_first_layer_is_refused_before_the_forward_pass()
    {
        using var data = Flat(20);
        using var model = new LayeredMlp(16, 10, 1, 8);
        var error = Assert.Throws<InvalidOperationException>(() => ModelChecks.EnsureFits(model, "teacher", "LayeredMlp", data));
        Assert.Contains("The teacher LayeredMlp expects inputs of width 16", error.Message);
        Assert.Contains("has 20 features per sample", error.Message);
    }

    [Fact]
    public void A_wrong_class_count_names_the_output_shape()
    {
        using var data = Images(1, 8);
        using var model = new SmallCnn(1, 5);
        var error = Assert.Throws<InvalidOperationException>(() => ModelChecks.EnsureFits(model, "student", "SmallCnn", data));
        Assert.Contains("returned shape [1, 5] for one sample of shape [1, 8, 8]; expected [1, 10]", error.Message);
    }
}
