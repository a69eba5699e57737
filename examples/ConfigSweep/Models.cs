using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Examples.ConfigSweep;

/// <summary>A one-hidden-layer MLP with ReLU; every model here is one, only the hidden width differs.</summary>
public abstract class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    protected Mlp(string name, int inputFeatures, int hidden, int classCount) : base(name)
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, hidden), nn.ReLU(), nn.Linear(hidden, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>The teacher: 128 hidden units.</summary>
public sealed class Teacher128(int inputFeatures, int classCount) : Mlp(nameof(Teacher128), inputFeatures, 128, classCount);

/// <summary>The larger student: 32 hidden units.</summary>
public sealed class Student32(int inputFeatures, int classCount) : Mlp(nameof(Student32), inputFeatures, 32, classCount);

/// <summary>The smaller student: 8 hidden units.</summary>
public sealed class Student8(int inputFeatures, int classCount) : Mlp(nameof(Student8), inputFeatures, 8, classCount);
