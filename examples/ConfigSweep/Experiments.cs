using KdDsl;

namespace KdDsl.Examples.ConfigSweep;

// Sultan et al.'s four knobs (kd-methods notes, section 4): L = (1 - alpha) * CE + alpha * D, with
//   alpha ∈ {0.5, 0.9}; D = KL on tempered probabilities (T = 4) or MSE on logits; the teacher checkpoint with the best
//   validation accuracy or the lowest validation loss; the student temperature 1 or equal to the teacher's (4).
// 2 × 2 × 2 × 2 = 16 trials per data set, for each of two student sizes. The data sets (Program.cs) hold out 10% for validation.

[Distillation]
[Teacher(typeof(Teacher128), Epochs = 10)]
[Student(typeof(Student32))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 10, BatchSize = 64, LearningRate = 3e-3, Seed = 1)]
[Sweep(SweepAxes.Alpha, 0.5, 0.9)]
[Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]
[Sweep(SweepAxes.TeacherSelection, TeacherSelection.BestValidationAccuracy, TeacherSelection.LowestValidationLoss)]
[Sweep(SweepAxes.StudentTemperature, 1.0, 4.0)]
public partial class Student32Sweep
{
}

[Distillation]
[Teacher(typeof(Teacher128), Epochs = 10)]
[Student(typeof(Student8))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 10, BatchSize = 64, LearningRate = 3e-3, Seed = 1)]
[Sweep(SweepAxes.Alpha, 0.5, 0.9)]
[Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]
[Sweep(SweepAxes.TeacherSelection, TeacherSelection.BestValidationAccuracy, TeacherSelection.LowestValidationLoss)]
[Sweep(SweepAxes.StudentTemperature, 1.0, 4.0)]
public partial class Student8Sweep
{
}
