using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Training;

namespace KdDsl.Sweeps;

/// <summary>What one sweep invocation did.</summary>
public sealed record SweepRunSummary(int Planned, int AlreadyFinished, int SkippedFailed, int Ran, int Failed);

/// <summary>Runs the work items of a sweep (or of one shard of it) into a <see cref="SweepStore"/>, resuming where an earlier run stopped.</summary>
public static class SweepRunner
{
    /// <summary>
    /// Runs every item not yet finished in <paramref name="store"/>: finished trials are skipped, running ones (left by a killed
    /// process) are run again, failed ones are skipped unless <paramref name="retryFailed"/>. Each data set is loaded once, on first use.
    /// </summary>
    public static SweepRunSummary Run(
        SweepStore store, IReadOnlyList<SweepWorkItem> items, string dataRoot, Shard shard, TextWriter log, bool retryFailed = false,
        RunOptions? options = null)
    {
        var statuses = store.Statuses();
        var pending = new List<SweepWorkItem>();
        int finished = 0, skippedFailed = 0;
        foreach (var item in items)
        {
            statuses.TryGetValue((item.Experiment.Name, item.Dataset.Name, item.Trial, item.Seed), out var status);
            bool known = statuses.ContainsKey((item.Experiment.Name, item.Dataset.Name, item.Trial, item.Seed));
            if (known && status == TrialStatus.Finished) finished++;
            else if (known && status == TrialStatus.Failed && !retryFailed) skippedFailed++;
            else pending.Add(item);
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Shard {shard}: {items.Count} trials, {finished} already finished, {skippedFailed} failed before (skipped), {pending.Count} to run -> {store.Path}"));

        var loaded = new Dictionary<string, DatasetSplits>(StringComparer.Ordinal);
        int ran = 0, failed = 0;
        try
        {
            foreach (var item in pending)
            {
                if (!loaded.TryGetValue(item.Dataset.Name, out var data))
                {
                    data = item.Dataset.Load(dataRoot).Validate();
                    loaded[item.Dataset.Name] = data;
                }
                store.Begin(item, shard.Count > 1 ? shard.ToString() : null);
                var clock = Stopwatch.StartNew();
                string what = $"{item.Experiment.Name} / {item.Dataset.Name} / trial {item.Trial} ({SweepGrid.Describe(item.Experiment.Configuration(item.Trial))}) / seed {item.Seed}";
                try
                {
                    var result = item.Experiment.RunTrial(item.Trial, data, item.Seed, options);
                    store.Finish(item, result);
                    ran++;
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{ran + failed}/{pending.Count}] {what}: student {100 * result.StudentAccuracy:F2}% ({result.Elapsed.TotalSeconds:F1} s)"));
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    store.Fail(item, error.GetType().Name + ": " + error.Message, clock.Elapsed);
                    failed++;
                    log.WriteLine($"[{ran + failed}/{pending.Count}] {what}: FAILED: {error.Message}");
                }
            }
        }
        finally
        {
            foreach (var data in loaded.Values) data.Dispose();
        }
        return new SweepRunSummary(items.Count, finished, skippedFailed, ran, failed);
    }
}
