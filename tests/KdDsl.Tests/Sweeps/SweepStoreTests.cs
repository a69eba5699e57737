using System;
using System.IO;
using System.Linq;
using KdDsl.Sweeps;
using Microsoft.Data.Sqlite;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>The store's resume rules, in process: finished trials are never re-run, running ones (a killed process) are, failures are kept.</summary>
public sealed class SweepStoreTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-store-" + Guid.NewGuid().ToString("N"));

    public SweepStoreTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Rows_hold_configuration_knob_columns_metrics_and_status()
    {
        var fake = new FakeSweep("Fake", 3);
        var items = SweepPlan.Enumerate(new[] { fake }, new[] { FakeSweep.Dataset("d") }, 2, Shard.All);
        string db = Path.Combine(folder, "a.db");
        using (var store = SweepStore.Open(db))
            SweepRunner.Run(store, items, "", Shard.All, TextWriter.Null);

        using var store2 = SweepStore.Open(db);
        var rows = store2.ReadAll();
        Assert.Equal(6, rows.Count);
        var row = rows.Single(r => r.Trial == 2 && r.Seed == 2);
        Assert.Equal(TrialStatus.Finished, row.Status);
        Assert.Equal("Alpha=0.2", row.ConfigurationText);
        Assert.Equal(0.5 + 0.02 + 0.002, row.StudentAccuracy!.Value, 12);
        Assert.Equal(1.0 / 3, row.FinalLoss!.Value, 12);
        Assert.Equal(0.03, row.Seconds!.Value, 12);
        Assert.Equal(1, row.Attempts);
        Assert.NotNull(row.StartedUtc);
        Assert.NotNull(row.FinishedUtc);

        // The configuration is stored as JSON and in a column per knob, readable by any SQLite client.
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT configuration, knob_Alpha FROM trials WHERE trial = 1 AND seed = 1;";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("{\"Alpha\":\"0.1\"}", reader.GetString(0));
        Assert.Equal("0.1", reader.GetString(1));
    }

    [Fact]
    public void Resume_skips_finished_reruns_running_and_keeps_failed_unless_asked()
    {
        var dataset = FakeSweep.Dataset("d");
        string db = Path.Combine(folder, "b.db");
        var first = new FakeSweep("Fake", 4, throwOn: 1);
        var items = SweepPlan.Enumerate(new[] { first }, new[] { dataset }, 1, Shard.All);
        using (var store = SweepStore.Open(db))
        {
            // As a killed process leaves it: trials 0 and 1 (which fails) done, trial 2 begun and never finished.
            var summary = SweepRunner.Run(store, items.Take(2).ToList(), "", Shard.All, TextWriter.Null);
            Assert.Equal((2, 1, 1), (summary.Planned, summary.Ran, summary.Failed));
            store.Begin(items[2], null);
        }

        var second = new FakeSweep("Fake", 4, throwOn: 1);
        using (var store = SweepStore.Open(db))
        {
            var summary = SweepRunner.Run(store, SweepPlan.Enumerate(new[] { second }, new[] { dataset }, 1, Shard.All), "", Shard.All, TextWriter.Null);
            Assert.Equal(new[] { (2, 1), (3, 1) }, second.Runs); // 0 finished, 1 failed: neither runs again; 2 was running: it does
            Assert.Equal((4, 1, 1, 2, 0), (summary.Planned, summary.AlreadyFinished, summary.SkippedFailed, summary.Ran, summary.Failed));
            var rows = store.ReadAll();
            Assert.Equal(2, rows.Single(r => r.Trial == 2).Attempts);
            var failed = rows.Single(r => r.Trial == 1);
            Assert.Equal(TrialStatus.Failed, failed.Status);
            Assert.Equal("InvalidOperationException: trial 1 diverged", failed.Error);
        }

        var third = new FakeSweep("Fake", 4);
        using (var store = SweepStore.Open(db))
        {
            SweepRunner.Run(store, SweepPlan.Enumerate(new[] { third }, new[] { dataset }, 1, Shard.All), "", Shard.All, TextWriter.Null, retryFailed: true);
            Assert.Equal(new[] { (1, 1) }, third.Runs);
            Assert.All(store.ReadAll(), r => Assert.Equal(TrialStatus.Finished, r.Status));
        }
    }

    [Fact]
    public void Merge_keeps_each_trial_once_and_prefers_finished_rows()
    {
        var dataset = FakeSweep.Dataset("d");
        var fake = new FakeSweep("Fake", 4);
        var items = SweepPlan.Enumerate(new[] { fake }, new[] { dataset }, 1, Shard.All);
        string a = Path.Combine(folder, "a.db"), b = Path.Combine(folder, "b.db");
        using (var store = SweepStore.Open(a))
        {
            SweepRunner.Run(store, items.Take(2).ToList(), "", Shard.All, TextWriter.Null);
            store.Begin(items[2], null); // left running here...
        }
        using (var store = SweepStore.Open(b))
            SweepRunner.Run(store, items.Skip(1).ToList(), "", Shard.All, TextWriter.Null); // ...finished there; trial 1 in both

        var merged = SweepStore.ReadMerged(new[] { a, b }, out var conflicts);
        Assert.Empty(conflicts);
        Assert.Equal(new[] { 0, 1, 2, 3 }, merged.Select(r => r.Trial));
        Assert.All(merged, r => Assert.Equal(TrialStatus.Finished, r.Status));
        Assert.Throws<FileNotFoundException>(() => SweepStore.ReadMerged(new[] { Path.Combine(folder, "missing.db") }, out _));
    }
}
