using KdDsl;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.TestHost;

/// <summary>The teacher of <see cref="KillResumeKd"/>.</summary>
public sealed class HostTeacher : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    /// <summary>Creates the model.</summary>
    public HostTeacher(int inputFeatures, int classCount) : base(nameof(HostTeacher))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 64), nn.ReLU(), nn.Linear(64, classCount));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>The student: with dropout, so the run depends on the global random state that a resumed run must restore.</summary>
public sealed class HostStudent : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    /// <summary>Creates the model.</summary>
    public HostStudent(int inputFeatures, int classCount) : base(nameof(HostStudent))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, classCount));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>
/// 320 training samples at batch size 32: 10 steps per epoch, 4 epochs, a cosine schedule with warm-up (its state is part of
/// the checkpoint) and dropout (the random state is too).
/// </summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 320, TestLimit = 200)]
[Teacher(typeof(HostTeacher), Epochs = 1)]
[Student(typeof(HostStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 3)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 1e-2, Seed = 9, Schedule = LearningRateSchedule.Cosine, WarmupSteps = 5)]
public partial class KillResumeKd
{
}
