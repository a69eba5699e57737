using KdDsl;
using KdDsl.Data;
using KdDsl.Models;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

// Feature-map distillation between the library's conv models (FeatureMapMatchingTests). On 8x8 images ResNet8's states are
// stem 16@8x8, stages.0 16@8x8, stages.1 32@4x4, stages.2 64@2x2; NarrowCnn's are embedding 8@8x8, blocks.0 16@4x4,
// blocks.1 32@2x2. The explicit map pairs maps of the same size whose channels differ, so both pairs need a connector.

/// <summary>SmallCnn with 2 blocks from 8 channels (8, 16, 32).</summary>
public sealed class NarrowCnn(int inputChannels, int classCount) : SmallCnn(inputChannels, classCount, 2, 8);

[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[MatchLayers(LayerSelection.Explicit, Weight = 0.1)]
[LayerMap("blocks.0", "stages.1")]
[LayerMap("blocks.1", "stages.2")]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class HintsImageKd { }

/// <summary>As <see cref="HintsImageKd"/> with the teacher's logits and feature maps cached in memory.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[MatchLayers(LayerSelection.Explicit, Weight = 0.1)]
[LayerMap("blocks.0", "stages.1")]
[LayerMap("blocks.1", "stages.2")]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class CachedHintsImageKd { }

/// <summary>Attention transfer along the reverse map: blocks.0 (16@4x4) → stages.2 (64@2x2) needs pooling.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Reverse, Weight = 50, Distance = HiddenDistance.AttentionTransfer, Resize = SpatialResize.AdaptiveAveragePool)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class AttentionImageKd { }

/// <summary>The reverse map without a declared resize: blocks.0 (16@4x4) and stages.2 (64@2x2) differ in size.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 1)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Reverse)]
[Train(Epochs = 1, BatchSize = 32, Seed = 5)]
public partial class UnresizedHintsImageKd { }

/// <summary>Tiny image data sets for the tests.</summary>
internal static class TinyImages
{
    /// <summary>Two-channel 8x8 images whose class is the brighter quadrant (of 4), plus noise: learnable in a few steps.</summary>
    public static LabeledDataset Quadrants(string name, int count, int seed)
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

    public static DatasetSplits Splits() => new(Quadrants("train", 128, 1), Quadrants("test", 64, 2));
}
