using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Examples.PartialKd;

/// <summary>The teacher: 64-128-128-10 with dropout 0.1 after each hidden layer (about 26K parameters).</summary>
public sealed class TeacherMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public TeacherMlp(int inputFeatures, int classCount) : base(nameof(TeacherMlp))
    {
        layers = nn.Sequential(
            nn.Linear(inputFeatures, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>
/// The student: one hidden layer of 12 units (910 parameters, 1/29 of the teacher). Narrower than the 10 class directions it has to
/// tell apart, so it is capacity-limited; with 16 units it matched the teacher after 30 epochs in the pilot (see the experiment record).
/// </summary>
public sealed class StudentMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public StudentMlp(int inputFeatures, int classCount) : base(nameof(StudentMlp))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 12), nn.ReLU(), nn.Linear(12, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
