using KdDsl;

namespace KdDsl.Tests.Matching;

// The same matching experiment with the teacher run live, and with its logits and hidden states cached in memory or on disk
// (CachedMatchingTests). The disk-cached pair differs only in the layer map, so the two read different teacher states.

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[MatchLayers(LayerSelection.Random, Weight = 0.5, MatchEmbeddings = true)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 7)]
public partial class LiveTeacherMatchingKd { }

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[MatchLayers(LayerSelection.Random, Weight = 0.5, MatchEmbeddings = true)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 7)]
public partial class MemoryCachedMatchingKd { }

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Disk, CacheDirectory = "kddsl-test-artifacts/matching-cache")]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[MatchLayers(LayerSelection.Random, Weight = 0.5, MatchEmbeddings = true)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 7)]
public partial class DiskCachedMatchingKd { }

/// <summary>As <see cref="DiskCachedMatchingKd"/> (same teacher, data and seed), but matching other teacher layers.</summary>
[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Disk, CacheDirectory = "kddsl-test-artifacts/matching-cache")]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[MatchLayers(LayerSelection.Explicit, Weight = 0.5)]
[LayerMap("blocks.0", "blocks.2")]
[LayerMap("blocks.1", "blocks.3")]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 7)]
public partial class DiskCachedOtherLayersMatchingKd { }

/// <summary>Token data, [N, L, W] states: only the hidden states read the teacher, and they are cached.</summary>
[Distillation]
[Teacher(typeof(TinyTextTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TinyTextStudent))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = "blocks.2", Normalization = HiddenNormalization.L2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 1)]
public partial class CachedTextMatchingKd { }

[Distillation]
[Teacher(typeof(TinyTextTeacher), Epochs = 2)]
[Student(typeof(TinyTextStudent))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = "blocks.2", Normalization = HiddenNormalization.L2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 1)]
public partial class LiveTextMatchingKd { }
