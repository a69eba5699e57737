using KdDsl.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Examples.BringYourOwn;

/// <summary>
/// The teacher, trained in PyTorch (python/train_teacher.py defines the same module): its parameter names
/// (<c>layers.0.weight</c>, ...) are those of the <c>state_dict</c> in data/teacher.safetensors.
/// </summary>
public sealed class ProfileTeacher : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    /// <summary>20 features in, 10 classes out, two hidden layers of 128.</summary>
    public ProfileTeacher(int inputFeatures, int classCount) : base(nameof(ProfileTeacher))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, classCount));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>
/// The student: one hidden layer of 16 (0.5k parameters against the teacher's 19k). It tells the ONNX exporter what its
/// forward pass is, in one line: <see cref="IOnnxExportable"/>.
/// </summary>
public sealed class ProfileStudent : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Sequential layers;

    /// <summary>20 features in, 10 classes out.</summary>
    public ProfileStudent(int inputFeatures, int classCount) : base(nameof(ProfileStudent))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 16), nn.ReLU(), nn.Linear(16, classCount));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.call(input);

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input) => graph.Module(layers, input);
}
