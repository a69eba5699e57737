namespace KdDsl.Examples.QuickStart;

/// <summary>
/// Hinton distillation of a wide MLP into a small one on the digits that ship inside KdDsl.
/// The generator turns these attributes into <c>DigitsKd.Run()</c> and <c>DigitsKd.Result</c>.
/// </summary>
[Distillation]
[Dataset(DatasetKind.Digits)]
[Teacher(typeof(WideMlp), Epochs = 30)]
[Student(typeof(SmallMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.1)]
[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
[Train(Epochs = 30, BatchSize = 32, LearningRate = 3e-3, Seed = 42, StudentBaseline = true)]
public partial class DigitsKd
{
}
