using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
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
    /// Each teacher is trained once: every trial runs with <see cref="RunOptions.TeacherCheckpoint"/> set to its teacher's file in
    /// <see cref="TeacherFolder"/> (see <see cref="TeacherCheckpoint"/>), so the first trial that needs a teacher trains and saves it,
    /// and the others (and a resumed sweep) load it.
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
                // Shards running on one file system share the folder. Shards that need the same teacher at the same time train it
                // once: the first takes the checkpoint's lock (TeacherCheckpoint.Lock), trains and saves it atomically; the others
                // wait for the lock and load the file.
                var trialOptions = (options ?? new RunOptions()) with { TeacherCheckpoint = TeacherCheckpoint(TeacherFolder(store.Path), item, options) };
                string what = $"{item.Experiment.Name} / {item.Dataset.Name} / trial {item.Trial} ({SweepGrid.Describe(item.Experiment.Configuration(item.Trial))}) / seed {item.Seed}";
                try
                {
                    var result = item.Experiment.RunTrial(item.Trial, data, item.Seed, trialOptions);
                    store.Finish(item, result);
                    ran++;
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{ran + failed}/{pending.Count}] {what}: student {100 * result.StudentAccuracy:F2}% " +
                        $"({(trialOptions.TeacherCheckpoint is null ? "" : result.TeacherLoaded ? "teacher loaded, " : "teacher trained, ")}{result.Elapsed.TotalSeconds:F1} s)"));
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

    /// <summary>The folder a sweep keeps its teachers in: <c>teachers</c> beside the store's database file.</summary>
    public static string TeacherFolder(string storePath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath)) ?? ".", "teachers");

    /// <summary>
    /// The file <paramref name="item"/>'s teacher is kept in, or null when its experiment trains no teacher:
    /// <c>{folder}/{experiment}-{dataset}-seed{seed}[-{key}][-epochs{n}].pt</c>, where key is <see
    /// cref="ISweepExperiment.TeacherKey"/> (the TeacherSelection value when it is swept, and the fingerprint of the
    /// teacher's declaration) and n the <see cref="RunOptions.Epochs"/> override, if any. A teacher depends on nothing else
    /// a sweep varies; the data set enters by its name, not its content. Characters other than letters, digits, '.', '-'
    /// and '_' become '_', and such a name gets a hash of the original so that two names never meet in one file.
    /// </summary>
    public static string? TeacherCheckpoint(string folder, SweepWorkItem item, RunOptions? options = null)
    {
        string? key = item.Experiment.TeacherKey(item.Trial);
        if (key is null) return null;
        var name = new StringBuilder();
        name.Append(item.Experiment.Name).Append('-').Append(item.Dataset.Name).Append("-seed").Append(item.Seed.ToString(CultureInfo.InvariantCulture));
        if (key.Length > 0) name.Append('-').Append(key);
        if (options?.Epochs is int epochs) name.Append("-epochs").Append(epochs.ToString(CultureInfo.InvariantCulture));
        return Path.Combine(folder, SafeFileName(name.ToString()) + ".pt");
    }

    private static string SafeFileName(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (char c in name) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        string result = safe.ToString(); // starts with the experiment's name, a C# identifier: never '.' or empty
        if (result == name) return result;
        return result + "-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0, 4).ToLowerInvariant();
    }
}
