using System.IO;
using KdDsl.Data;
using KdDsl.Examples.MethodZoo;
using KdDsl.Sweeps;

// The distillation methods side by side on Fashion-MNIST images (issue #18; docs/experiments/method-zoo.md): one experiment per
// method (Methods.cs), swept as the values of one "Method" axis through the sweep store, so the usual commands apply:
//   dotnet run -c Release --project examples/MethodZoo -- sweep --seeds 3 --data /usr/share/datasets --db zoo.db
//   dotnet run -c Release --project examples/MethodZoo -- report --db zoo.db --out docs/experiments/method-zoo
//   dotnet run -c Release --project examples/MethodZoo -- sweep --dataset fashion-smoke --db smoke.db   (a quick check)
// Every method of a seed distils from the same ResNet-20 (trained once per seed into teachers/ beside the database).
var zoo = new MethodSweep("MethodZoo", nameof(KdDsl.Models.ResNet8), declaredSeed: 42, teacherKey: "resnet20-5ep-adam3e-3-cosine-b128", new SweptMethod[]
{
    new("alone", (data, options) => Alone.Run(data, options), ReadsTeacher: false),
    new("KD", (data, options) => Kd.Run(data, options)),
    new("DKD", (data, options) => Dkd.Run(data, options)),
    new("DIST", (data, options) => Dist.Run(data, options)),
    new("KD+LS", (data, options) => KdLogitStandardization.Run(data, options)),
    new("reverse KL", (data, options) => ReverseKd.Run(data, options)),
    new("symmetric KL", (data, options) => SymmetricKd.Run(data, options)),
    new("skewed JS", (data, options) => SkewedJsKd.Run(data, options)),
    new("total variation", (data, options) => TotalVariationKd.Run(data, options)),
    new("AT", (data, options) => AttentionTransfer.Run(data, options)),
    new("FitNets", (data, options) => FitNets.Run(data, options)),
    new("SP", (data, options) => SimilarityPreserving.Run(data, options)),
    new("RKD", (data, options) => Relational.Run(data, options)),
    new("PKT", (data, options) => ProbabilisticTransfer.Run(data, options)),
    new("Tf-KD reg", (data, options) => TeacherFree.Run(data, options), ReadsTeacher: false),
});
var datasets = new[]
{
    // 20,000 training images (the first ones of the file) and the 10,000 test images: a method x seed in minutes on 2 cores.
    new SweepDataset("fashion-20k", root => FashionMnist.Load(Path.Combine(root, "fashion-mnist"), 20000, 0, IdxLayout.Images)),
    new SweepDataset("fashion-60k", root => FashionMnist.Load(Path.Combine(root, "fashion-mnist"), 0, 0, IdxLayout.Images)),
    new SweepDataset("fashion-smoke", root => FashionMnist.Load(Path.Combine(root, "fashion-mnist"), 512, 256, IdxLayout.Images)),
};
return SweepCommandLine.Invoke(args, new ISweepExperiment[] { zoo }, datasets, defaultDataRoot: "/usr/share/datasets");
