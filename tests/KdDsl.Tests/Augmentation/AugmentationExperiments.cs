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

/// <summary>[N, C, H, W] images given by the caller (no [Dataset]): declared per-channel statistics, crop and flip, conv models.</summary>
[Distillation]
[Normalize(Mean = new[] { 0.25, 0.25 }, Std = new[] { 0.5, 0.5 })]
[Augment(RandomCropPadding = 2, HorizontalFlip = true)]
[Teacher(typeof(KdDsl.Models.ResNet8), Epochs = 3)]
[Student(typeof(KdDsl.Models.SmallCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 16, LearningRate = 3e-3, Seed = 3)]
public partial class AugmentedImageKd
{
}
