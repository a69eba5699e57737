using System;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using KdDsl.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Models;

/// <summary>
/// The TorchVision wrappers against TorchVision's own modules: the same parameter names, the same logits for the same
/// weights, grey images repeated to 3 channels, the declared layer paths, and a generated experiment matching into one.
/// </summary>
public sealed class TorchVisionModelsTests
{
    private static void CopyWeights(nn.Module from, nn.Module to)
    {
        var source = from.state_dict();
        using (no_grad())
        {
            foreach (var (name, value) in to.state_dict()) value.copy_(source[name]);
        }
    }

    private static float MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Fact]
    public void ResNet18_has_TorchVisions_parameter_names_and_logits()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var reference = torchvision.models.resnet18(num_classes: 7);
        using var model = new TorchVisionResNet18(3, 7);
        Assert.Equal(reference.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal), model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Contains("layer1.0.bn1.running_mean", model.state_dict().Keys);
        CopyWeights(reference, model);
        reference.eval();
        model.eval();
        var input = randn(2, 3, 32, 32);
        Assert.Equal(0f, MaxDifference(reference.call(input), model.call(input)));
        Assert.Equal(4, model.LayerCount);
        var (states, logits) = LayerCapture.AllStates(model, input);
        Assert.Equal(new long[] { 2, 7 }, logits.shape);
        Assert.Equal(new[] { 64L, 64, 128, 256, 512 }, states.Select(s => s.shape[1]).ToArray());
    }

    [Fact]
    public void Grey_images_are_repeated_to_three_channels_and_other_counts_are_refused()
    {
        using var scope = NewDisposeScope();
        using var grey = new TorchVisionResNet18(1, 5);
        using var colour = new TorchVisionResNet18(3, 5);
        CopyWeights(grey, colour);
        grey.eval();
        colour.eval();
        var image = rand(2, 1, 32, 32);
        Assert.Equal(0f, MaxDifference(grey.call(image), colour.call(image.expand(-1, 3, -1, -1))));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TorchVisionResNet18(2, 5));
        Assert.Contains("3 channels, or 1", error.Message);
    }

    [Fact]
    public void MobileNetV2_is_layered_along_its_features()
    {
        using var scope = NewDisposeScope();
        using var reference = torchvision.models.mobilenet_v2(num_classes: 4);
        using var model = new TorchVisionMobileNetV2(3, 4);
        CopyWeights(reference, model);
        reference.eval();
        model.eval();
        var input = randn(2, 3, 32, 32);
        Assert.Equal(0f, MaxDifference(reference.call(input), model.call(input)));
        Assert.Equal(18, model.LayerCount);
        var (states, _) = LayerCapture.AllStates(model, input);
        Assert.Equal(1280, states[^1].shape[1]);
        Assert.Equal(32, states[0].shape[1]); // features.0, the stem
    }

    [Fact]
    public void A_generated_experiment_matches_a_student_into_TorchVision_stages()
    {
        using var data = ColourSplits();
        using var result = VisionHintsKd.Run(data);
        Assert.Equal("blocks.1 -> layer1, blocks.2 -> layer2", result.LayerMap.ToString());
        Assert.Equal(new long[] { 64, 4, 4 }, result.LayerMap.Plans[0].TeacherShape);
        Assert.Equal(0, result.Matcher.ProjectionCount); // 64 -> 64 and 128 -> 128 channels
        Assert.All(result.Epochs, e => Assert.True(e.HiddenStates > 0 && double.IsFinite(e.HiddenStates)));
        var shape = LayerStackShape.Of(result.Teacher, "teacher", "T", new[] { "layer1", "layer2", "layer3", "layer4" }, "maxpool", data.Train);
        Assert.Equal(3, shape.StateOf("layer3"));
        Assert.Contains("maxpool, layer1, layer2, layer3, layer4", Assert.Throws<LayerMatchingException>(() => shape.StateOf("layer5")).Message);
    }

    /// <summary>Three-channel 16x16 images: the class is the brighter of 4 quadrants.</summary>
    private static DatasetSplits ColourSplits()
    {
        static LabeledDataset Make(string name, int count, int seed)
        {
            var generator = new Generator((ulong)seed);
            var labels = randint(0, 4, new long[] { count }, generator: generator, dtype: ScalarType.Int64);
            var images = randn(new long[] { count, 3, 16, 16 }, generator: generator) * 0.3;
            var label = labels.data<long>().ToArray();
            for (int i = 0; i < count; i++)
            {
                long row = label[i] / 2 * 8, column = label[i] % 2 * 8;
                images[i, TensorIndex.Colon, TensorIndex.Slice(row, row + 8), TensorIndex.Slice(column, column + 8)] += 1.0;
            }
            return new LabeledDataset(name, images, labels, 4);
        }
        return new DatasetSplits(Make("train", 64, 1), Make("test", 32, 2));
    }
}

/// <summary>
/// A TorchVision teacher, a SmallCnn student matched into its stages. On 16x16 images ResNet-18's layer1 is 64@4x4 and layer2
/// 128@2x2; SmallCnn's blocks.1 is 64@4x4 and blocks.2 128@2x2.
/// </summary>
[Distillation]
[Teacher(typeof(TorchVisionResNet18), Epochs = 1)]
[Student(typeof(SmallCnn))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[MatchLayers(LayerSelection.Explicit, Weight = 0.1, Distance = HiddenDistance.Mse)]
[LayerMap("blocks.1", "layer1")]
[LayerMap("blocks.2", "layer2")]
[Train(Epochs = 1, BatchSize = 32, Seed = 3)]
public partial class VisionHintsKd { }
