using KdDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

// Experiments compiled by the real generator inside this test project: tiny models, few samples, so each run takes about a second.

public sealed class TinyTeacher : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public TinyTeacher(int inputFeatures, int classCount) : base(nameof(TinyTeacher))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 64), nn.ReLU(), nn.Linear(64, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

public sealed class TinyStudent : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public TinyStudent(int inputFeatures, int classCount) : base(nameof(TinyStudent))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 16), nn.ReLU(), nn.Linear(16, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>Built for 100 inputs whatever the data: the run must refuse it before training.</summary>
public sealed class HundredInputNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear head = nn.Linear(100, 10);

    public HundredInputNet() : base(nameof(HundredInputNet)) => RegisterComponents();

    public override Tensor forward(Tensor input) => head.call(input);
}

/// <summary>Accepts the input width but returns 5 logits for a 10-class data set.</summary>
public sealed class FiveClassNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear head;

    public FiveClassNet(int inputFeatures, int classCount) : base(nameof(FiveClassNet))
    {
        head = nn.Linear(inputFeatures, 5);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => head.call(input);
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 400, TestLimit = 300)]
[Teacher(typeof(TinyTeacher), Epochs = 4)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.25)]
[Loss(LossKind.KlDivergence, Weight = 0.75, Temperature = 3)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 7, StudentBaseline = true)]
public partial class TinyDigitsKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 200, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, Checkpoint = "kddsl-test-artifacts/tiny-teacher.ckpt")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.LogitMse)]
[Train(Epochs = 1, BatchSize = 50, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9)]
public partial class CheckpointedTeacherKd
{
}

[Distillation]
[Teacher(typeof(HundredInputNet))]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence)]
[Train(Epochs = 1)]
public partial class WrongWidthKd
{
}

[Distillation]
[Teacher(typeof(TinyTeacher))]
[Student(typeof(FiveClassNet))]
[Loss(LossKind.KlDivergence)]
[Train(Epochs = 1)]
public partial class WrongClassCountKd
{
}

[Distillation]
[Dataset(DatasetKind.Mnist, Path = "/nonexistent/kddsl/mnist")]
[Teacher(typeof(TinyTeacher))]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence)]
public partial class MissingFilesKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 2, BatchSize = 32, Seed = 3, StudentBaseline = true)]
public partial class CrossEntropyOnlyKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.LabelSmoothing, Weight = 0.5, Epsilon = 0.1)]
[Loss(LossKind.TfKdRegularization, Weight = 0.5, TargetProbability = 0.9, Temperature = 20)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 1e-2)]
public partial class TeacherFreeKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[SelfTeacher(Epochs = 2)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KdPt, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, StudentBaseline = true)]
public partial class SelfTaughtKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 400, TestLimit = 100, ValidationFraction = 0.25)]
[Teacher(typeof(TinyTeacher), Epochs = 5, Selection = TeacherSelection.BestValidationAccuracy)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KdSim, SimilarityTemperature = 0.5)]
[Loss(LossKind.KdTopK, TopK = 3)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 3e-3)]
public partial class SelectedTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 400, TestLimit = 100, ValidationFraction = 0.25)]
[Teacher(typeof(TinyTeacher), Epochs = 5, Selection = TeacherSelection.LowestValidationLoss)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 1e-2)]
public partial class LowestLossTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 600, TestLimit = 100, ValidationFraction = 0.2)]
[Teacher(typeof(TinyTeacher), Epochs = 5, StopAtAccuracy = 0.5)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 16, LearningRate = 1e-3)]
public partial class DefectiveTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 500, TestLimit = 200, ValidationFraction = 0.3)]
[Teacher(typeof(TinyTeacher), Epochs = 15)]
[CalibratedTeacher(Bins = 10)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 1e-2)]
public partial class CalibratedTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Synthetic)]
[SyntheticData(TrainSamples = 400, TestSamples = 200, Features = 16, Classes = 4, Groups = 2, ClassCorrelation = 0.7, Seed = 3)]
[Teacher(typeof(TinyTeacher), Epochs = 3)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KdPtSim)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 3e-3)]
public partial class SyntheticKd
{
}

/// <summary>Every kind of term at once, for the memory-growth test: scalars, temperatures, soft targets, the logit layer.</summary>
[Distillation]
[Teacher(typeof(TinyTeacher))]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.2)]
[Loss(LossKind.KlDivergence, Weight = 0.2, Temperature = 4)]
[Loss(LossKind.KdPtSim, Weight = 0.2, Temperature = 2)]
[Loss(LossKind.KdTopK, Weight = 0.2, TopK = 3)]
[Loss(LossKind.LabelSmoothing, Weight = 0.1)]
[Loss(LossKind.TfKdRegularization, Weight = 0.1, Temperature = 20)]
[Train(Epochs = 1, BatchSize = 2, LearningRate = 1e-3)]
public partial class MemoryKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Loss(LossKind.KdTopK, TopK = 2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class LiveTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Loss(LossKind.KdTopK, TopK = 2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class MemoryCachedTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, CacheOutputs = TeacherOutputCaching.Disk, CacheDirectory = "kddsl-test-artifacts/teacher-cache")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Loss(LossKind.KdTopK, TopK = 2)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class DiskCachedTeacherKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2)]
[Student(typeof(TinyStudentWithDropout))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Schedule = LearningRateSchedule.Cosine, WarmupSteps = 5,
       Checkpoint = "kddsl-test-artifacts/resume/student.ckpt")]
public partial class ResumableKd
{
}

/// <summary>Dropout makes the run depend on the global random state, which a resumed run must restore.</summary>
public sealed class TinyStudentWithDropout : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public TinyStudentWithDropout(int inputFeatures, int classCount) : base(nameof(TinyStudentWithDropout))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>A teacher with a learning rate of its own (0.02) distilled into a student at [Train]'s 1e-3.</summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 2, LearningRate = 0.02)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 1e-3, Seed = 9)]
public partial class OwnTeacherRateKd
{
}

/// <summary>
/// The two divergences added through the generator's loss catalog, logged beside the cross-entropy the student trains on, in one
/// full-batch step: each logged value is the divergence between the student's initial logits and the teacher's.
/// </summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 120, TestLimit = 60)]
[Teacher(typeof(TinyTeacher), Epochs = 2)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.ReverseKl, Weight = 0, Temperature = 2)]
[Loss(LossKind.JensenShannon, Weight = 0, Temperature = 3, StudentTemperature = 1.5, Reduction = KdDsl.Losses.KlReduction.ElementwiseMean)]
[Train(Epochs = 1, BatchSize = 120, Seed = 11)]
public partial class LoggedDivergencesKd
{
}

/// <summary>Image models from the library, declared like any model: the generator passes them the data's channel count.</summary>
[Distillation]
[Teacher(typeof(KdDsl.Models.ResNet8), Epochs = 3)]
[Student(typeof(KdDsl.Models.SmallCnn))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 16, LearningRate = 3e-3, Seed = 3)]
public partial class TinyImageKd
{
}

/// <summary>A teacher that trains for a while, calibrated: the run needs a validation split, and its checkpoints must be writable.</summary>
[Distillation]
[Teacher(typeof(TinyTeacher), Epochs = 3, Checkpoint = "kddsl-test-artifacts/early-checks-teacher.ckpt")]
[CalibratedTeacher]
[Student(typeof(TinyStudent))]
[Loss(LossKind.KlDivergence)]
[Train(Epochs = 1, BatchSize = 50)]
public partial class EarlyChecksKd
{
}

/// <summary>A teacher trained in PyTorch: loaded from the safetensors fixture PyTorch's weights were written to, not trained.</summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 200, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Weights = "Training/Fixtures/tiny_teacher.safetensors")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 1, BatchSize = 50)]
public partial class PyTorchTeacherKd
{
}
