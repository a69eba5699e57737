using System.IO;
using KdDsl;
using KdDsl.Data;
using KdDsl.Examples.ConfigSweep;
using KdDsl.Sweeps;

// A scaled-down version of Sultan et al.'s study: which distillation configuration to choose, on three real data sets and two
// student sizes. Every data set holds out 10% of its training samples for validation (teacher checkpoint selection).
//   dotnet run --project examples/ConfigSweep -c Release -- sweep --db sweep.db          (--shard i/n for one slice)
//   dotnet run --project examples/ConfigSweep -c Release -- report --db sweep.db --out docs/experiments/config-sweep
//   dotnet run --project examples/ConfigSweep -c Release -- slurm --shards 8             (an sbatch --array script)
var experiments = new[] { Student32Sweep.Sweep, Student8Sweep.Sweep };
var datasets = new[]
{
    new SweepDataset("digits", root => WithValidation(BuiltInDatasets.Load(DatasetKind.Digits, Path.Combine(root, "digits", "digits.csv.gz")))),
    new SweepDataset("fashion-mnist", root => WithValidation(FashionMnist.Load(Path.Combine(root, "fashion-mnist"), 2000, 1000))),
    new SweepDataset("imdb", root => WithValidation(ImdbSubset.Load(Path.Combine(root, "imdb"), 1000, 2000, 1000))),
};
return SweepCommandLine.Invoke(args, experiments, datasets, defaultDataRoot: "../shared/data");

static DatasetSplits WithValidation(DatasetSplits data)
{
    var split = data.WithValidation(0.1);
    data.Train.Dispose(); // the new splits hold copies of the training rows; the test split is shared
    return split;
}
