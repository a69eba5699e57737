using KdDsl;
using KdDsl.Data;
using KdDsl.Sweeps;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.SweepHost;

/// <summary>A one-hidden-layer MLP; the hidden width is the model's size.</summary>
public abstract class HostMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    protected HostMlp(string name, int inputFeatures, int hidden, int classCount) : base(name)
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, hidden), nn.ReLU(), nn.Linear(hidden, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}

public sealed class HostTeacher(int inputFeatures, int classCount) : HostMlp(nameof(HostTeacher), inputFeatures, 64, classCount);

public sealed class HostStudent16(int inputFeatures, int classCount) : HostMlp(nameof(HostStudent16), inputFeatures, 16, classCount);

public sealed class HostStudent4(int inputFeatures, int classCount) : HostMlp(nameof(HostStudent4), inputFeatures, 4, classCount);

/// <summary>Alpha × Distance (4 trials) with a 16-unit student.</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
[Sweep(SweepAxes.Alpha, 0.3, 0.9)]
[Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]
public partial class HostWideSweep
{
}

/// <summary>The same sweep with a 4-unit student.</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent4))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
[Sweep(SweepAxes.Alpha, 0.3, 0.9)]
[Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]
public partial class HostNarrowSweep
{
}

/// <summary>What the host sweeps: both experiments on two slices of the embedded digits.</summary>
public static class HostSweep
{
    public static ISweepExperiment[] Experiments { get; } = { HostWideSweep.Sweep, HostNarrowSweep.Sweep };

    public static SweepDataset[] Datasets { get; } =
    {
        new("digits-400", _ => BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200)),
        new("digits-250", _ => BuiltInDatasets.Load(DatasetKind.Digits, null, 250, 150)),
    };
}
