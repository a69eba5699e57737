using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.SweepHost;
using KdDsl.Sweeps;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Sweeps;

// Three methods that differ in their terms, not in a swept value, and share one teacher declaration.

[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 2, BatchSize = 32, Seed = 7, StudentBaseline = true)]
public partial class ZooKd { }

[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.DecoupledKd, Temperature = 4)]
[Train(Epochs = 2, BatchSize = 32, Seed = 7)]
public partial class ZooDkd { }

[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.Dist, Temperature = 4)]
[Train(Epochs = 2, BatchSize = 32, Seed = 7)]
public partial class ZooDist { }

/// <summary>A sweep over methods (one experiment each) through the sweep store: one teacher per seed, rows equal to direct runs.</summary>
public sealed class MethodSweepTests : IDisposable
{
    private static readonly RunOptions Cpu = new() { Device = TorchSharp.torch.CPU };

    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-methods-" + Guid.NewGuid().ToString("N"));

    public MethodSweepTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SweepDataset Digits => new("digits-400", _ => BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200));

    private static MethodSweep Zoo() => new("Zoo", nameof(HostStudent16), 7, "host-teacher-3-epochs", new SweptMethod[]
    {
        new("KD", (data, options) => ZooKd.Run(data, options)),
        new("DKD", (data, options) => ZooDkd.Run(data, options)),
        new("DIST", (data, options) => ZooDist.Run(data, options)),
    });

    [Fact]
    public void Each_method_is_a_trial_of_the_store_and_shares_the_seed_s_teacher()
    {
        var zoo = Zoo();
        Assert.Equal(new[] { "KD", "DKD", "DIST" }, zoo.Axes.Single().Values);
        var items = SweepPlan.Enumerate(new ISweepExperiment[] { zoo }, new[] { Digits }, 1, Shard.All);
        var log = new StringWriter();
        TrialRecord[] rows;
        using (var store = SweepStore.Open(Path.Combine(folder, "zoo.db")))
        {
            Assert.Equal(3, SweepRunner.Run(store, items, "", Shard.All, log, options: Cpu).Ran);
            rows = store.ReadAll().OrderBy(r => r.Trial).ToArray();
        }
        Assert.Equal(new[] { "Method=KD", "Method=DKD", "Method=DIST" }, rows.Select(r => r.ConfigurationText));
        Assert.Equal(new bool?[] { false, true, true }, rows.Select(r => r.TeacherLoaded)); // trained once, then loaded
        Assert.Single(rows.Select(r => r.TeacherAccuracy).Distinct());
        Assert.NotNull(rows[0].StudentAloneAccuracy); // ZooKd asks for the baseline
        Assert.Null(rows[1].StudentAloneAccuracy);

        // The DKD row equals the experiment run directly with the same seed and the sweep's teacher file.
        string teacher = Assert.Single(Directory.GetFiles(Path.Combine(folder, "teachers")));
        using var data = Digits.Load("");
        using var direct = ZooDkd.Run(data, Cpu with { Seed = 7, TeacherCheckpoint = teacher });
        Assert.True(direct.TeacherLoadedFromCheckpoint);
        Assert.Equal(rows[1].StudentAccuracy, direct.StudentAccuracy);
        Assert.Equal(rows[1].FinalLoss, direct.Epochs[^1].Total);

        // The report compares the methods like any configurations.
        var analysis = SweepAnalysis.From(rows);
        Assert.Equal(3, analysis.Best.Single().Configurations);
    }

    [Fact]
    public void Methods_must_have_distinct_names_and_a_trial_must_exist()
    {
        var error = Assert.Throws<ArgumentException>(() => new MethodSweep("Zoo", "S", 0, null, new SweptMethod[]
        {
            new("KD", (data, options) => ZooKd.Run(data, options)),
            new("KD", (data, options) => ZooDkd.Run(data, options)),
        }));
        Assert.Contains("\"KD\" is used twice", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Zoo().Configuration(3));
    }
}
