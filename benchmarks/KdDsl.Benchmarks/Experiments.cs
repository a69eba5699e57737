namespace KdDsl.Benchmarks;

// The declared experiments the benchmarks run through their generated public API (Run(DatasetSplits, RunOptions)).
// The teacher is always loaded from a checkpoint the benchmark writes first (relative to the benchmark's working folder),
// so no run spends time training it; only the distillation phase is timed (from the generated loop's progress reports).

/// <summary>Benchmarks (a), (b) and (c): Hinton KD, CE 0.1 + KL 0.9 at T = 4, Adam 1e-3, batch 256; the teacher runs on every batch.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp), Checkpoint = Paths.TeacherCheckpoint)]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.1)]
[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 256, LearningRate = 1e-3, Seed = 7, Optimizer = OptimizerKind.Adam)]
public partial class BenchKd
{
}

/// <summary>Benchmark (c): the same experiment with the teacher's outputs computed once per run and kept in memory.</summary>
[Distillation]
[Teacher(typeof(TeacherMlp), Checkpoint = Paths.TeacherCheckpoint, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy, Weight = 0.1)]
[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 256, LearningRate = 1e-3, Seed = 7, Optimizer = OptimizerKind.Adam)]
public partial class BenchKdCached
{
}

/// <summary>Benchmark (c): the student alone, cross-entropy only, through the same generated loop (no teacher declared).</summary>
[Distillation]
[Student(typeof(StudentMlp))]
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 1, BatchSize = 256, LearningRate = 1e-3, Seed = 7, Optimizer = OptimizerKind.Adam)]
public partial class BenchStudentAlone
{
}

/// <summary>
/// Benchmark (h): a CNN KD step. ResNet-20 teacher (from a checkpoint the benchmark writes first), the library's SmallCnn
/// student (3 blocks, width 16), images [N, 1, 28, 28], CE 0.5 + KL 0.5 at T = 4, Adam 1e-3, batch 128; the teacher runs on
/// every batch.
/// </summary>
[Distillation]
[Teacher(typeof(KdDsl.Models.ResNet20), Checkpoint = Paths.CnnTeacherCheckpoint)]
[Student(typeof(KdDsl.Models.SmallCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 128, LearningRate = 1e-3, Seed = 7, Optimizer = OptimizerKind.Adam)]
public partial class BenchCnnKd
{
}

/// <summary>Benchmark (h): the same CNN experiment with the teacher's outputs computed once per run and kept in memory.</summary>
[Distillation]
[Teacher(typeof(KdDsl.Models.ResNet20), Checkpoint = Paths.CnnTeacherCheckpoint, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(KdDsl.Models.SmallCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 128, LearningRate = 1e-3, Seed = 7, Optimizer = OptimizerKind.Adam)]
public partial class BenchCnnKdCached
{
}

/// <summary>Benchmark (h): the SmallCnn student alone, cross-entropy only, through the same generated loop (no teacher declared).</summary>
[Distillation]
[Student(typeof(KdDsl.Models.SmallCnn))]
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 1, BatchSize = 128, LearningRate = 1e-3, Seed = 7, Optimizer = OptimizerKind.Adam)]
public partial class BenchCnnStudentAlone
{
}

internal static class Paths
{
    /// <summary>(h): the ResNet-20 teacher's checkpoint, relative to the same working folder.</summary>
    public const string CnnTeacherCheckpoint = "teacher-resnet20-1x28x28.ckpt";

    /// <summary>Relative to the working folder the benchmark switches to (a temporary folder).</summary>
    public const string TeacherCheckpoint = "teacher-784-1024-1024-10.ckpt";
}
