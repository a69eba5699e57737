using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Examples.QuickStart;

/// <summary>The teacher: a two-hidden-layer MLP, 256 units wide.</summary>
public sealed class WideMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public WideMlp(int inputFeatures, int classCount) : base(nameof(WideMlp))
    {
        layers = nn.Sequential(
            nn.Linear(inputFeatures, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>The student: one hidden layer of 64 units (about 5K parameters against the teacher's 83K).</summary>
public sealed class SmallMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public SmallMlp(int inputFeatures, int classCount) : base(nameof(SmallMlp))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 64), nn.ReLU(), nn.Linear(64, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
