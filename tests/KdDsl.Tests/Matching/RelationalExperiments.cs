using KdDsl;
using KdDsl.Models;

namespace KdDsl.Tests.Matching;

// The relational distances between the library's conv models on TinyImages (RelationalMatchingTests). Along the reverse map
// NarrowCnn's blocks.0 (16@4x4) meets ResNet8's stages.2 (64@2x2) and blocks.1 (32@2x2) meets stages.1 (32@4x4): channels or
// sizes differ in both pairs, and a relational distance compares them as they are (no connector, no resize).

/// <summary>SP (Tung and Mori): the paper's gamma = 3000 over two pairs would be Weight = 6000; a smaller weight suffices here.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Reverse, Weight = 100, Distance = HiddenDistance.SimilarityPreserving)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class SimilarityPreservingImageKd { }

/// <summary>RKD-DA with the paper's weights (lambda_D = 25, lambda_A = 50).</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Reverse, Weight = 25, Distance = HiddenDistance.RelationalDistanceAngle)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class RelationalImageKd { }

/// <summary>As <see cref="RelationalImageKd"/> with the teacher's logits and feature maps cached in memory.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Reverse, Weight = 25, Distance = HiddenDistance.RelationalDistanceAngle)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class CachedRelationalImageKd { }

/// <summary>PKT (Passalis and Tefas) on the pooled stage outputs, with the weight 30000 of CRD's benchmark code (the term is small: post-ReLU features have cosines near 1).</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2)]
[Student(typeof(NarrowCnn))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Reverse, Weight = 30000, Distance = HiddenDistance.ProbabilisticTransfer)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class ProbabilisticTransferImageKd { }
