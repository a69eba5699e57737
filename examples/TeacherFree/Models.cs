using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Examples.TeacherFree;

/// <summary>
/// The big model: 784-512-256-10 with dropout 0.2 after each hidden layer (about 535K parameters). It is the teacher of
/// normal KD and De-KD and the student of Re-KD.
/// </summary>
public sealed class BigMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public BigMlp(int inputFeatures, int classCount) : base(nameof(BigMlp))
    {
        layers = nn.Sequential(
            nn.Linear(inputFeatures, 512), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>
/// The small model: one hidden layer of 32 units, no dropout (about 25K parameters, 1/21 of <see cref="BigMlp"/>). It is the
/// student of every row except Re-KD, where it is the teacher.
/// </summary>
public sealed class SmallMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public SmallMlp(int inputFeatures, int classCount) : base(nameof(SmallMlp))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 32), nn.ReLU(), nn.Linear(32, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
