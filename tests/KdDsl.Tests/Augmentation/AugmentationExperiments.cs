using KdDsl.Tests.EndToEnd;

namespace KdDsl.Tests.Augmentation;

/// <summary>The digits (flat [N, 64], augmented as 1x8x8 images), normalised with the training split's statistics, cropped with padding 1.</summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Normalize(FromTrainingSplit = true)]
[Augment(RandomCropPadding = 1)]
[Teacher(typeof(TinyTeacher), Epochs = 2)]
[Student(typeof(TinyStudentWithDropout))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 5, StudentBaseline = true,
       Checkpoint = "kddsl-test-artifacts/augment/student.ckpt")]
public partial class AugmentedDigitsKd
{
}

/// <summary>The same experiment without [Augment]: what augmentation changes is measured against it.</summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Normalize(FromTrainingSplit = true)]
[Teacher(typeof(TinyTeacher), Epochs = 2)]
[Student(typeof(TinyStudentWithDropout))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 5, StudentBaseline = true)]
public partial class NormalizedDigitsKd
{
}
