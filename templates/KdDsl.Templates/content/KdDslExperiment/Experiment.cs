using KdDsl;

namespace KdDslExperiment;

/// <summary>
/// Hinton distillation of <see cref="WideMlp"/> into <see cref="SmallMlp"/> on the handwritten digits embedded in KdDsl.
/// At compile time KdDsl generates <c>DigitsKd.Run()</c> and <c>DigitsKd.Result</c> from these attributes; an invalid
/// setting (a temperature of 0, a negative weight, a missing student, ...) is a KDxxxx compile error, most with a code fix.
/// </summary>
[Distillation]
[Dataset(DatasetKind.Digits)]
[Teacher(typeof(WideMlp))]
[Student(typeof(SmallMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.1)]
[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
[Train(Epochs = 20, BatchSize = 32, LearningRate = 3e-3, Seed = 42, StudentBaseline = true)]
public partial class DigitsKd
{
}
