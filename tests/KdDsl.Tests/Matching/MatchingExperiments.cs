using KdDsl;
using KdDsl.Models;

namespace KdDsl.Tests.Matching;

// Layered models and matching experiments compiled by the real generator inside this test project: tiny, so a run takes
// about a second on the embedded digits.

[LayerStack(Count = 4, Width = 32)]
public sealed class FourBlockTeacher : LayeredMlp
{
    public FourBlockTeacher(int inputFeatures, int classCount) : base(inputFeatures, classCount, 4, 32) { }
}

[LayerStack(Count = 2, Width = 16)]
public sealed class TwoBlockStudent : LayeredMlp
{
    public TwoBlockStudent(int inputFeatures, int classCount) : base(inputFeatures, classCount, 2, 16) { }
}

/// <summary>Same width as the teacher: no projection.</summary>
[LayerStack(Count = 2, Width = 32)]
public sealed class TwoBlockWideStudent : LayeredMlp
{
    public TwoBlockWideStudent(int inputFeatures, int classCount) : base(inputFeatures, classCount, 2, 32) { }
}

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 4)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.Forward, Weight = 0.5, MatchEmbeddings = true)]
[Train(Epochs = 6, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class ForwardMatchingKd { }

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockWideStudent))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Random, Distance = HiddenDistance.Cosine, Normalization = HiddenNormalization.LayerNorm)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class RandomMatchingKd { }

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.Explicit)]
[LayerMap("blocks.1", "blocks.2")]
[LayerMap("embedding", "blocks.0")]
[Train(Epochs = 1, BatchSize = 32, Seed = 3)]
public partial class ExplicitMatchingKd { }

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.None)]
[Train(Epochs = 1, BatchSize = 32, Seed = 3)]
public partial class NoMatchingKd { }

/// <summary>A tiny text encoder: vocabulary 16, 12 tokens, 3 blocks of width 16.</summary>
[LayerStack(Count = 3, Width = 16)]
public sealed class TinyTextTeacher : TransformerEncoderClassifier
{
    public TinyTextTeacher() : base(vocabularySize: 16, maxLength: 12, classCount: 2, layers: 3, width: 16, heads: 2, feedForward: 32) { }
}

[LayerStack(Count = 1, Width = 8)]
public sealed class TinyTextStudent : TransformerEncoderClassifier
{
    public TinyTextStudent() : base(vocabularySize: 16, maxLength: 12, classCount: 2, layers: 1, width: 8, heads: 2, feedForward: 16) { }
}

[Distillation]
[Teacher(typeof(TinyTextTeacher), Epochs = 3)]
[Student(typeof(TinyTextStudent))]
[Loss(LossKind.CrossEntropy)]
[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = "blocks.2", Normalization = HiddenNormalization.L2)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 1)]
public partial class TextMatchingKd { }

/// <summary>
/// The student (and its baseline) start from the teacher's blocks; a learning rate of 1e-9 leaves the copied weights where
/// they were to within 1e-6, so the test can see the copy after the run.
/// </summary>
[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockWideStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.Reverse, InitializeFromTeacher = true)]
[Train(Epochs = 1, BatchSize = 64, LearningRate = 1e-9, Seed = 4, StudentBaseline = true)]
public partial class TeacherInitializedKd { }

/// <summary>The strategy as a sweep axis; trial 1 (Reverse) must equal <see cref="ReverseWrittenOutKd"/>.</summary>
[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.Forward, Weight = 0.5)]
[Sweep(SweepAxes.LayerSelection, LayerSelection.Forward, LayerSelection.Reverse)]
[Train(Epochs = 2, BatchSize = 32, Seed = 3)]
public partial class StrategySweepKd { }

[Distillation]
[Teacher(typeof(FourBlockTeacher), Epochs = 2)]
[Student(typeof(TwoBlockStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence)]
[MatchLayers(LayerSelection.Reverse, Weight = 0.5)]
[Train(Epochs = 2, BatchSize = 32, Seed = 3)]
public partial class ReverseWrittenOutKd { }
