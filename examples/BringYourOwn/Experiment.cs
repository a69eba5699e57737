using KdDsl;

namespace KdDsl.Examples.BringYourOwn;

/// <summary>
/// Hinton KD from a teacher trained in PyTorch (its weights read from the .safetensors file PyTorch wrote; not trained
/// here) into a small student, on the user's own CSV data (no [Dataset]: the program passes the splits to Run).
/// The weights path is relative to the working directory; the program runs from its own folder.
/// </summary>
[Distillation]
[Teacher(typeof(ProfileTeacher), Weights = "data/teacher.safetensors")]
[Student(typeof(ProfileStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.3)]
[Loss(LossKind.KlDivergence, Weight = 0.7, Temperature = 4)]
[Train(Epochs = 60, BatchSize = 32, LearningRate = 3e-3, Seed = 42, StudentBaseline = true)]
public partial class ProfileKd { }
