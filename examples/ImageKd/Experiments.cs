using KdDsl.Models;

namespace KdDsl.Examples.ImageKd;

// Image KD on Fashion-MNIST [N, 1, 28, 28]: one ResNet-20 teacher (trained once, kept in its checkpoint and loaded by every
// later run) and a 6k-parameter CNN student, distilled three ways. The declarations differ only in the matching term; the
// student-alone baseline is trained inside the logit-KD runs (same initial weights, same batches). On 28x28 images the
// teacher's states are stem 16@28x28, stages.0 16@28x28, stages.1 32@14x14, stages.2 64@7x7, and the student's are
// embedding 8@28x28, blocks.0 16@14x14, blocks.1 32@7x7: the hint pair blocks.1 -> stages.2 compares 7x7 maps, 32 -> 64
// channels through a 1x1 convolution + BatchNorm connector. The teacher's logits (and the matched teacher maps, 60,000 x
// 64 x 7 x 7 floats = 0.75 GB) are computed once per run and cached in memory, so the student steps run without the teacher.

/// <summary>The student: SmallCnn with 2 blocks from 8 channels (8, 16, 32), 6.3k parameters, 1/43 of ResNet-20.</summary>
public sealed class TinyCnn(int inputChannels, int classCount) : SmallCnn(inputChannels, classCount, 2, 8);

/// <summary>Hinton's KD (T = 4, alpha = 0.5), with the student trained alone as the baseline.</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, Checkpoint = "artifacts/image-kd/teacher-resnet20.bin", CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TinyCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 6, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42, StudentBaseline = true)]
public partial class LogitKd { }

/// <summary>KD plus a FitNets hint (MSE between the connected student map and the teacher's, weight 1).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, Checkpoint = "artifacts/image-kd/teacher-resnet20.bin", CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TinyCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[MatchLayers(LayerSelection.Explicit, Weight = 1, Distance = HiddenDistance.Mse)]
[LayerMap("blocks.1", "stages.2")]
[Train(Epochs = 6, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class HintKd { }

/// <summary>KD plus attention transfer on the same pair (the paper's beta / 2 = 500 for one group).</summary>
[Distillation]
[Teacher(typeof(ResNet20), Epochs = 5, Checkpoint = "artifacts/image-kd/teacher-resnet20.bin", CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TinyCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[MatchLayers(LayerSelection.Explicit, Weight = 500, Distance = HiddenDistance.AttentionTransfer)]
[LayerMap("blocks.1", "stages.2")]
[Train(Epochs = 6, BatchSize = 128, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, Seed = 42)]
public partial class AttentionKd { }
