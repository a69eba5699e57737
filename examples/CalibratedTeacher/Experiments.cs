namespace KdDsl.Examples.CalibratedTeacher;

/// <summary>
/// The settings every experiment below shares, fixed before any result was seen. Attribute arguments must be constants, so
/// they live here and the eight classes only differ in the teacher and in <c>[CalibratedTeacher]</c>.
/// </summary>
internal static class Setup
{
    /// <summary>Teacher epochs: long enough for the wide teachers to fit the training split and become over-confident.</summary>
    public const int TeacherEpochs = 30;

    /// <summary>Student (distillation) epochs.</summary>
    public const int StudentEpochs = 20;

    public const int BatchSize = 128;
    public const double LearningRate = 1e-3;
    public const int FirstSeed = 42;

    /// <summary>Hinton's loss: 0.1 · CE(labels) + 0.9 · T² · KL(teacher_T ‖ student_T), T = 4, as in the quick start.</summary>
    public const double CrossEntropyWeight = 0.1;
    public const double KlWeight = 0.9;
    public const double KdTemperature = 4;

    /// <summary>ECE bins (Guo et al.'s 15).</summary>
    public const int Bins = 15;
}

// Plain KD from the raw teacher. These also train the student alone (cross-entropy only, same initial weights and batches) as
// a reference; it does not depend on the teacher, so the four sizes must agree on it (Program.cs checks). The teacher
// checkpoint path is relative: the program runs in a fresh temporary folder and
// deletes each checkpoint before a new seed, so that within one seed the calibrated experiment of the same size loads exactly
// the teacher the plain one trained (see Program.cs).

[Distillation]
[Teacher(typeof(TeacherW128), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w128.ckpt")]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed, StudentBaseline = true)]
public partial class KdW128 { }

[Distillation]
[Teacher(typeof(TeacherW256), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w256.ckpt")]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed, StudentBaseline = true)]
public partial class KdW256 { }

[Distillation]
[Teacher(typeof(TeacherW512), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w512.ckpt")]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed, StudentBaseline = true)]
public partial class KdW512 { }

[Distillation]
[Teacher(typeof(TeacherW768), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w768.ckpt")]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed, StudentBaseline = true)]
public partial class KdW768 { }

// The same four experiments from the temperature-scaled teacher (Yang and Song, 2021): T* is fitted on the validation split,
// the KD terms see z_t / T*, and Temperature = 4 then applies on top.

[Distillation]
[Teacher(typeof(TeacherW128), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w128.ckpt")]
[CalibratedTeacher(Bins = Setup.Bins)]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed)]
public partial class CalibratedKdW128 { }

[Distillation]
[Teacher(typeof(TeacherW256), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w256.ckpt")]
[CalibratedTeacher(Bins = Setup.Bins)]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed)]
public partial class CalibratedKdW256 { }

[Distillation]
[Teacher(typeof(TeacherW512), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w512.ckpt")]
[CalibratedTeacher(Bins = Setup.Bins)]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed)]
public partial class CalibratedKdW512 { }

[Distillation]
[Teacher(typeof(TeacherW768), Epochs = Setup.TeacherEpochs, Checkpoint = "teachers/w768.ckpt")]
[CalibratedTeacher(Bins = Setup.Bins)]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = Setup.CrossEntropyWeight)]
[Loss(LossKind.KlDivergence, Weight = Setup.KlWeight, Temperature = Setup.KdTemperature)]
[Train(Epochs = Setup.StudentEpochs, BatchSize = Setup.BatchSize, LearningRate = Setup.LearningRate, Seed = Setup.FirstSeed)]
public partial class CalibratedKdW768 { }
