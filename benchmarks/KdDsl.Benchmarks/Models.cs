using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Benchmarks;

/// <summary>The benchmark teacher: 784-1024-1024-10 MLP (ReLU), about 1.86M parameters. No dropout.</summary>
public sealed class TeacherMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public TeacherMlp(int inputFeatures, int classCount) : base(nameof(TeacherMlp))
    {
        layers = nn.Sequential(
            nn.Linear(inputFeatures, 1024), nn.ReLU(),
            nn.Linear(1024, 1024), nn.ReLU(),
            nn.Linear(1024, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>The benchmark student: 784-128-10 MLP (ReLU), about 102K parameters.</summary>
public sealed class StudentMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public StudentMlp(int inputFeatures, int classCount) : base(nameof(StudentMlp))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 128), nn.ReLU(), nn.Linear(128, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
