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
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 1)]
public partial class WrongClassCountKd
{
}

[Distillation]
[Dataset(DatasetKind.Mnist, Path = "/nonexistent/kddsl/mnist")]
[Teacher(typeof(TinyTeacher))]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy)]
public partial class MissingFilesKd
{
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 300, TestLimit = 100)]
[Teacher(typeof(TinyTeacher), Epochs = 1)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy)]
[Train(Epochs = 2, BatchSize = 32, Seed = 3, StudentBaseline = true)]
public partial class CrossEntropyOnlyKd
{
}
