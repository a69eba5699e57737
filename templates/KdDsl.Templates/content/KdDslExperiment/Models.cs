using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDslExperiment;

// A model is any torch.nn.Module<Tensor, Tensor> with a public (int inputFeatures, int classCount) or parameterless
// constructor; KdDsl fills in the two numbers from the data.

/// <summary>The teacher: two hidden layers of 256 units.</summary>
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

/// <summary>The student: one hidden layer of 64 units.</summary>
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
