using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.SweepHost;
using KdDsl.Sweeps;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Microsoft.Data.Sqlite;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>2 Alpha × 2 LearningRate: the teacher depends on none of them (the swept learning rate is the student's).</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 2, BatchSize = 32, Seed = 7)]
[Sweep(SweepAxes.Alpha, 0.3, 0.9)]
[Sweep(SweepAxes.LearningRate, 1e-3, 1e-2)]
public partial class ReusedTeacherSweep
{
}

/// <summary>2 TeacherSelection × 2 Alpha: one teacher per selection.</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 32, Seed = 7)]
[Sweep(SweepAxes.TeacherSelection, TeacherSelection.BestValidationAccuracy, TeacherSelection.LowestValidationLoss)]
[Sweep(SweepAxes.Alpha, 0.3, 0.9)]
public partial class SelectionTeacherSweep
{
}

/// <summary>
/// A sweep trains each teacher once (per experiment, data set, seed and TeacherSelection) into the folder beside its store and
/// every other trial loads it; a loaded teacher gives exactly the run a freshly trained one gives.
/// </summary>
public sealed class TeacherReuseTests : IDisposable
{
    private static readonly RunOptions Cpu = new() { Device = TorchSharp.torch.CPU };

    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-teachers-" + Guid.NewGuid().ToString("N"));

    public TeacherReuseTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SweepDataset Digits => new("digits-400", _ => BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200));

    [Fact]
    public void Sweep_trains_the_teacher_once_and_a_loaded_teacher_gives_the_same_trial_as_a_fresh_one()
    {
        var items = SweepPlan.Enumerate(new[] { ReusedTeacherSweep.Sweep }, new[] { Digits }, 1, Shard.All);
        Assert.Equal(4, items.Count);
        var log = new StringWriter();
        using (var store = SweepStore.Open(Path.Combine(folder, "a.db")))
            Assert.Equal(4, SweepRunner.Run(store, items, "", Shard.All, log, options: Cpu).Ran);

        // One teacher file, named by experiment, data set, seed and the fingerprint of the teacher's declaration (no teacher-affecting
        // axis is swept, so every trial has the same key).
        Assert.Matches("^[0-9a-f]{8}$", ReusedTeacherSweep.Sweep.TeacherKey(0));
        Assert.All(Enumerable.Range(0, 4), trial => Assert.Equal(ReusedTeacherSweep.Sweep.TeacherKey(0), ReusedTeacherSweep.Sweep.TeacherKey(trial)));
        string teachers = Path.Combine(folder, "teachers");
        Assert.Equal(new[] { $"ReusedTeacherSweep-digits-400-seed7-{ReusedTeacherSweep.Sweep.TeacherKey(0)}.pt" }, Directory.GetFiles(teachers).Select(Path.GetFileName));
        string text = log.ToString();
        Assert.Equal(1, Count(text, "teacher trained"));
        Assert.Equal(3, Count(text, "teacher loaded"));

        TrialRecord[] rows;
        using (var store = SweepStore.Open(Path.Combine(folder, "a.db")))
            rows = store.ReadAll().OrderBy(r => r.Trial).ToArray();
        Assert.All(rows, r => Assert.Equal(TrialStatus.Finished, r.Status));
        Assert.Equal(new bool?[] { false, true, true, true }, rows.Select(r => r.TeacherLoaded));
        Assert.Single(rows.Select(r => r.TeacherAccuracy).Distinct()); // every trial distilled from the same teacher

        // Trial 3 (alpha 0.9, learning rate 0.01) run directly, teacher trained from scratch, equals the sweep's row bit for bit:
        // the student phase reseeds after the teacher, and the swept learning rate does not reach the teacher.
        using var data = Digits.Load("");
        using var fresh = ReusedTeacherSweep.Run(ReusedTeacherSweep.Grid[3], data, Cpu with { Seed = 7 });
        Assert.Equal((0.9, 0.01), (fresh.Trial.Alpha, fresh.Trial.LearningRate));
        Assert.False(fresh.TeacherLoadedFromCheckpoint);
        Assert.Equal(rows[3].TeacherAccuracy, fresh.TeacherAccuracy);
        Assert.Equal(rows[3].StudentAccuracy, fresh.StudentAccuracy);
        Assert.Equal(rows[3].FinalLoss, fresh.Epochs[^1].Total);

        // The same trial with the sweep's teacher file loaded: every epoch's losses and accuracy are identical too.
        string file = Path.Combine(teachers, $"ReusedTeacherSweep-digits-400-seed7-{ReusedTeacherSweep.Sweep.TeacherKey(0)}.pt");
        using var loaded = ReusedTeacherSweep.Run(ReusedTeacherSweep.Grid[3], data, Cpu with { Seed = 7, TeacherCheckpoint = file });
        Assert.True(loaded.TeacherLoadedFromCheckpoint);
        Assert.Null(loaded.TeacherTraining);
        Assert.Equal(fresh.TeacherAccuracy, loaded.TeacherAccuracy);
        Assert.Equal(fresh.StudentAccuracy, loaded.StudentAccuracy);
        Assert.Equal(fresh.Epochs, loaded.Epochs);

        // Another store in the same folder (a shard, or a fresh database) reuses the teacher: nothing is trained again.
        var second = new StringWriter();
        using (var store = SweepStore.Open(Path.Combine(folder, "b.db")))
            SweepRunner.Run(store, items, "", Shard.All, second, options: Cpu);
        Assert.Equal(4, Count(second.ToString(), "teacher loaded"));
        Assert.Single(Directory.GetFiles(teachers));
    }

    [Fact]
    public void The_teacher_trains_with_the_declared_learning_rate_and_the_student_with_the_trial_s()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200);
        using var slow = ReusedTeacherSweep.Run(ReusedTeacherSweep.Grid[2], data, Cpu); // alpha 0.9, lr 0.001 (= declared)
        using var fast = ReusedTeacherSweep.Run(ReusedTeacherSweep.Grid[3], data, Cpu); // alpha 0.9, lr 0.01
        Assert.Equal((0.001, 0.01), (slow.Settings.LearningRate, fast.Settings.LearningRate));
        // Both teachers were trained here, from scratch, and are the same teacher.
        Assert.False(slow.TeacherLoadedFromCheckpoint || fast.TeacherLoadedFromCheckpoint);
        Assert.Equal(slow.TeacherEpochLosses, fast.TeacherEpochLosses);
        Assert.Equal(slow.TeacherAccuracy, fast.TeacherAccuracy);
        // ... while the students did train with different rates.
        Assert.NotEqual(slow.Epochs[0].CrossEntropy, fast.Epochs[0].CrossEntropy);
    }

    [Fact]
    public void Each_swept_teacher_selection_gets_its_own_teacher()
    {
        var dataset = new SweepDataset("digits-val", _ =>
        {
            var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200);
            var split = loaded.WithValidation(0.25); // shares the test split, copies the training one
            loaded.Train.Dispose();
            return split;
        });
        var items = SweepPlan.Enumerate(new[] { SelectionTeacherSweep.Sweep }, new[] { dataset }, 1, Shard.All);
        TrialRecord[] rows;
        using (var store = SweepStore.Open(Path.Combine(folder, "s.db")))
        {
            SweepRunner.Run(store, items, "", Shard.All, TextWriter.Null, options: Cpu);
            rows = store.ReadAll().OrderBy(r => r.Trial).ToArray();
        }
        Assert.Equal(
            new[] { $"SelectionTeacherSweep-digits-val-seed7-{SelectionTeacherSweep.Sweep.TeacherKey(0)}.pt", $"SelectionTeacherSweep-digits-val-seed7-{SelectionTeacherSweep.Sweep.TeacherKey(2)}.pt" },
            Directory.GetFiles(Path.Combine(folder, "teachers")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        // Grid order: (Best, 0.3), (Best, 0.9), (Lowest, 0.3), (Lowest, 0.9): the first trial of each selection trains its teacher.
        Assert.Equal(new bool?[] { false, true, false, true }, rows.Select(r => r.TeacherLoaded));
        Assert.Equal(rows[0].TeacherAccuracy, rows[1].TeacherAccuracy);
        Assert.Equal(rows[2].TeacherAccuracy, rows[3].TeacherAccuracy);
    }

    [Fact]
    public void Teacher_checkpoint_names_are_file_system_safe_and_distinct()
    {
        var experiment = ReusedTeacherSweep.Sweep;
        string Name(string dataset, int seed, RunOptions? options = null) => Path.GetFileName(SweepRunner.TeacherCheckpoint(
            "t", new SweepWorkItem(0, experiment, new SweepDataset(dataset, _ => throw new InvalidOperationException()), 1, seed), options)!);
        string key = experiment.TeacherKey(0)!;
        Assert.Equal($"ReusedTeacherSweep-mnist-seed-3-{key}.pt", Name("mnist", -3));
        Assert.Equal($"ReusedTeacherSweep-digits-seed7-{key}-epochs5.pt", Name("digits", 7, new RunOptions { Epochs = 5 }));
        string slashed = Name("a/b", 7), underscored = Name("a_b", 7);
        Assert.StartsWith("ReusedTeacherSweep-a_b-seed7-", slashed); // '/' replaced, and a hash of the original name added
        Assert.Equal($"ReusedTeacherSweep-a_b-seed7-{key}.pt", underscored);
        Assert.NotEqual(slashed, underscored);
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), "teachers"), SweepRunner.TeacherFolder(Path.Combine(folder, "x.db")));
        // An experiment that trains no teacher gets no file.
        Assert.Null(SweepRunner.TeacherCheckpoint("t", new SweepWorkItem(0, new FakeSweep("Fake", 1), FakeSweep.Dataset("d"), 0, 1)));
    }

    [Fact]
    public void A_self_teacher_is_saved_to_and_loaded_from_RunOptions_TeacherCheckpoint()
    {
        string file = Path.Combine(folder, "self", "teacher.pt");
        using var trained = SelfTaughtKd.Run(Cpu with { TeacherCheckpoint = file });
        Assert.False(trained.TeacherLoadedFromCheckpoint);
        Assert.True(File.Exists(file));
        using var loaded = SelfTaughtKd.Run(Cpu with { TeacherCheckpoint = file });
        Assert.True(loaded.TeacherLoadedFromCheckpoint);
        Assert.Empty(loaded.TeacherEpochLosses);
        Assert.Equal(trained.TeacherAccuracy, loaded.TeacherAccuracy);
        Assert.Equal(trained.StudentAccuracy, loaded.StudentAccuracy);
        Assert.Equal(trained.StudentAloneAccuracy, loaded.StudentAloneAccuracy);
        Assert.Equal(trained.Epochs, loaded.Epochs);
    }

    [Fact]
    public void A_database_written_before_teacher_loaded_existed_is_read_and_then_upgraded()
    {
        string db = Path.Combine(folder, "old.db");
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The schema the store wrote before the teacher_loaded column, with one finished row.
            command.CommandText = """
                CREATE TABLE trials (experiment TEXT NOT NULL, dataset TEXT NOT NULL, student TEXT NOT NULL, trial INTEGER NOT NULL,
                    seed INTEGER NOT NULL, configuration TEXT NOT NULL, status TEXT NOT NULL, student_accuracy REAL, teacher_accuracy REAL,
                    student_alone_accuracy REAL, final_loss REAL, seconds REAL, started_utc TEXT, finished_utc TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0, error TEXT, shard TEXT, knob_Alpha TEXT, PRIMARY KEY (experiment, dataset, trial, seed));
                INSERT INTO trials VALUES ('Fake', 'd', 'Fake.Student', 0, 1, '{"Alpha":"0"}', 'finished', 0.5, 0.9, NULL, 1.0, 0.01,
                    '2026-01-01', '2026-01-01', 1, NULL, NULL, '0');
                """;
            command.ExecuteNonQuery();
        }
        var items = SweepPlan.Enumerate(new[] { new FakeSweep("Fake", 2) }, new[] { FakeSweep.Dataset("d") }, 1, Shard.All);
        using (var store = SweepStore.Open(db))
        {
            var before = Assert.Single(store.ReadAll());
            Assert.Null(before.TeacherLoaded);
            Assert.Equal(0.5, before.StudentAccuracy);
            Assert.Equal(1, SweepRunner.Run(store, items, "", Shard.All, TextWriter.Null).Ran); // trial 1 only
            var rows = store.ReadAll().OrderBy(r => r.Trial).ToArray();
            Assert.Null(rows[0].TeacherLoaded);
            Assert.False(rows[1].TeacherLoaded); // the fake reports a teacher accuracy and never loads a teacher
        }
        using (var reopened = SweepStore.Open(db))
            Assert.Equal(new bool?[] { null, false }, reopened.ReadAll().OrderBy(r => r.Trial).Select(r => r.TeacherLoaded));
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
